// The phone's outbox. A report that cannot be sent now (no signal, the server busy) waits here with its photos, in
// the browser's IndexedDB on this phone only, and is sent again later with its own Idempotency-Key: if an earlier
// attempt did arrive, the server answers with that report, so nothing is counted twice. Receipts of reports sent
// in the background are kept here too, until the volunteer clears them, since nobody saw their receipt page.
(function () {
  "use strict";

  var NAME = "signwatch";
  var VERSION = 1;

  function open() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("IndexedDB is not available")); return; }
      var request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "key" });
        if (!db.objectStoreNames.contains("sent")) db.createObjectStore("sent", { keyPath: "receipt" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Runs work(store) in one transaction; resolves with the result of the request work returns, once committed.
  function transact(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var request = work(transaction.objectStore(storeName));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function byDate(a, b) { return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0; }

  window.SignWatchOutbox = {
    // entry: { key, createdAt, fields: [[name, value], ...], photos: [Blob, ...] }
    put: function (entry) { return transact("outbox", "readwrite", function (store) { return store.put(entry); }); },
    waiting: function () {
      return transact("outbox", "readonly", function (store) { return store.getAll(); }).then(function (entries) {
        return entries.sort(byDate); // oldest first
      });
    },
    remove: function (key) { return transact("outbox", "readwrite", function (store) { return store.delete(key); }); },
    // sent: { receipt, createdAt } for a report sent from the outbox
    addSent: function (sent) { return transact("sent", "readwrite", function (store) { return store.put(sent); }); },
    sent: function () {
      return transact("sent", "readonly", function (store) { return store.getAll(); }).then(function (list) {
        return list.sort(byDate);
      });
    },
    clearSent: function () { return transact("sent", "readwrite", function (store) { return store.clear(); }); }
  };
})();
