"""SignWatch's JSON API (DRF): input serializers validate, output serializers answer, errors are JSON."""
