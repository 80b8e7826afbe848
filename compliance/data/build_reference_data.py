#!/usr/bin/env python3
"""Build SignWatch's reference data from the committed research files.

Reads ``compliance/data/research/`` (verbatim copies of the researched tables; see README.md there) and writes, next
to this script:

- ``venue_types.json``   every venue slug the research uses, with a plain-English name and description;
- ``posting_laws.json``  one posting-law row per state and DC (territories have no research rows and get none);
- ``ag_offices.json``    one Attorney General mailing address per state and DC.

Usage: ``python compliance/data/build_reference_data.py`` (stdlib only, deterministic, no network). The output is
validated before anything is written; a failed check aborts without touching the JSON files.

Everything mechanical is parsed from the research files. Knowledge that cannot be parsed mechanically (the
voluntary/none decision, titles, enactment years and effective dates from prose, the condition under which a venue
type is covered, source titles given in prose) lives in the curated dicts below; every entry points at the note or
quote it came from. Nothing here adds a fact the research files do not state: when they don't say, the field stays
empty/null.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

DATA_DIR = Path(__file__).resolve().parent
RESEARCH_DIR = DATA_DIR / "research"
LAWS_CSV = RESEARCH_DIR / "posting_laws.csv"
SOURCES_MD = RESEARCH_DIR / "posting_laws_sources.md"
AG_CSV = RESEARCH_DIR / "ag_offices.csv"

STATUSES = ("mandatory", "voluntary", "none", "unknown")
CONFIDENCES = ("high", "medium", "low")
TERRITORIES = ("PR", "VI", "GU", "AS", "MP")

# ---------------------------------------------------------------------------------------------------------------------
# Curated: venue types. Keys must be exactly the slugs listed under "Venue slugs used" in posting_laws_sources.md
# (plus any slug posting_laws.csv uses). Names and descriptions are plain-English glosses of the slug; where the
# research defines a slug, the description follows it.
# ---------------------------------------------------------------------------------------------------------------------
VENUE_TYPES: dict[str, tuple[str, str]] = {
    "abortion_facility": ("Abortion facility", "An outpatient facility that performs abortions."),
    "adult_entertainment": (
        "Adult entertainment business",
        "A sexually oriented business, such as an adult club, adult cabaret or adult bookstore or theater.",
    ),
    "airport": ("Airport", "A passenger airport or air terminal."),
    "all_employers": (
        "All employers",
        "Every employer covered by a general labor law, not only particular kinds of business.",
    ),
    "bar_liquor_licensee": (
        "Bar or liquor licensee",
        "A bar, club or other business licensed to sell alcohol, usually for drinking on the premises.",
    ),
    "bus_station": ("Bus station", "An intercity or local bus station or terminal."),
    "campground": ("Campground", "A campground or camp offering overnight stays."),
    "casino": ("Casino", "A casino or other licensed gaming establishment."),
    "child_care_residential": (
        "Residential child care facility",
        "A facility where children or young people live and are cared for.",
    ),
    "convenience_store": ("Convenience store", "A small store selling everyday goods, often next to a gas station."),
    "cosmetology_salon": (
        "Hair or beauty salon",
        "A cosmetology, hair, electrolysis or skin-care salon.",
    ),
    "emergency_room_hospital": (
        "Emergency room / hospital",
        "A hospital emergency department or other facility that provides emergency care.",
    ),
    "esthetician": ("Esthetician establishment", "A business that provides esthetics (skin-care) services."),
    "family_planning_clinic": ("Family planning clinic", "A clinic that provides family planning services."),
    "farm_labor_contractor": (
        "Farm labor contractor",
        "A business that recruits, hires or transports farm workers for growers.",
    ),
    "gas_station": ("Gas station", "A retail fuel station."),
    "government_building": ("Government building", "A building owned or run by a state or local government."),
    "health_facility": (
        "Health facility",
        "A licensed health-care facility, such as a hospital, clinic or nursing facility.",
    ),
    "highway_service_plaza": (
        "Highway service plaza",
        "A service area on a highway or toll road with fuel, food and restrooms.",
    ),
    "hospital": ("Hospital", "A hospital as a whole, not only its emergency department."),
    "hotel_motel": ("Hotel or motel", "A hotel, motel, inn, bed and breakfast or other lodging business."),
    "job_recruitment": (
        "Job recruitment center",
        "An employment agency, job center or other place that recruits workers.",
    ),
    "massage_establishment": ("Massage establishment", "A massage parlor, spa or bodywork business."),
    "massage_school": ("Massage school", "A school that trains massage therapists."),
    "maternity_home": ("Maternity home", "A residence that houses and supports pregnant women."),
    "money_transmitter_check_casher": (
        "Money transmitter or check casher",
        "A licensed money transmitter, check cashing or foreign currency exchange business.",
    ),
    "nail_salon": ("Nail salon", "A salon that provides manicures, pedicures or other nail care."),
    "nuisance_property": (
        "Nuisance property",
        "Premises found to be a prostitution or drug nuisance.",
    ),
    "pediatric_care": ("Pediatric care facility", "A facility that provides medical care to children."),
    "poultry_processing": ("Poultry processing plant", "A plant that slaughters or processes poultry."),
    "pregnancy_resource_center": (
        "Pregnancy resource center",
        "A center that offers counseling and support to pregnant women.",
    ),
    "public_transit": (
        "Public transit facility",
        "A station or facility of a public transit system, such as a subway, commuter rail or local bus system.",
    ),
    "rest_area": ("Highway rest area", "A roadside rest area or rest stop along a highway."),
    "restaurant": ("Restaurant", "A restaurant or other eating place."),
    "school": ("School", "A school, such as a public elementary or secondary school."),
    "shelter": ("Shelter", "A homeless, domestic-violence or other emergency shelter."),
    "shopping_mall": ("Shopping mall", "A shopping mall or shopping center."),
    "state_park": ("State park", "A park run by the state."),
    "state_service_center": (
        "State service center",
        "A state office where residents apply for public services and benefits.",
    ),
    "strip_club": ("Strip club", "A club that features nude or semi-nude dancing."),
    "tattoo_studio": ("Tattoo studio", "A tattoo or body-art studio."),
    "train_station": ("Train station", "A passenger rail station."),
    "transportation_facility": (
        "Transportation facility",
        "A transportation facility managed by a state or local agency, such as a station or highway rest area.",
    ),
    "truck_stop": ("Truck stop", "A fuel and service stop for commercial trucks, usually near a highway."),
    "urgent_care": ("Urgent care center", "A walk-in clinic for urgent medical care."),
    "welcome_center": ("Welcome center", "A state welcome or visitor center, usually on a highway near the border."),
    "weigh_station": ("Weigh station", "A roadside station where commercial vehicles are weighed and inspected."),
    "wellness_center": ("Wellness center", "A health or wellness center."),
    "womens_health_center": ("Women's health center", "A clinic that provides health care for women."),
    "youth_transitional_services": (
        "Youth transitional services",
        "A program or facility that helps young people move to independent living.",
    ),
}

# Spanish names shown to volunteers and venue owners whose browser asks for Spanish (U.S. usage, neutral register).
# The English name stays the reference; descriptions are English only.
SPANISH_NAMES: dict[str, str] = {
    "abortion_facility": "Centro de servicios de aborto",
    "adult_entertainment": "Negocio de entretenimiento para adultos",
    "airport": "Aeropuerto",
    "all_employers": "Todos los empleadores",
    "bar_liquor_licensee": "Bar o local con licencia de alcohol",
    "bus_station": "Estación de autobuses",
    "campground": "Campamento",
    "casino": "Casino",
    "child_care_residential": "Centro residencial de cuidado infantil",
    "convenience_store": "Tienda de conveniencia",
    "cosmetology_salon": "Salón de belleza o peluquería",
    "emergency_room_hospital": "Sala de emergencias / hospital",
    "esthetician": "Centro de estética",
    "family_planning_clinic": "Clínica de planificación familiar",
    "farm_labor_contractor": "Contratista de trabajo agrícola",
    "gas_station": "Gasolinera",
    "government_building": "Edificio de gobierno",
    "health_facility": "Centro de salud",
    "highway_service_plaza": "Área de servicio en carretera",
    "hospital": "Hospital",
    "hotel_motel": "Hotel o motel",
    "job_recruitment": "Agencia de empleo",
    "massage_establishment": "Establecimiento de masajes",
    "massage_school": "Escuela de masaje",
    "maternity_home": "Hogar de maternidad",
    "money_transmitter_check_casher": "Envío de dinero o cambio de cheques",
    "nail_salon": "Salón de uñas",
    "nuisance_property": "Propiedad declarada molestia pública",
    "pediatric_care": "Centro de atención pediátrica",
    "poultry_processing": "Planta procesadora de aves",
    "pregnancy_resource_center": "Centro de recursos para el embarazo",
    "public_transit": "Instalación de transporte público",
    "rest_area": "Área de descanso en carretera",
    "restaurant": "Restaurante",
    "school": "Escuela",
    "shelter": "Refugio",
    "shopping_mall": "Centro comercial",
    "state_park": "Parque estatal",
    "state_service_center": "Centro de servicios del estado",
    "strip_club": "Club de striptease",
    "tattoo_studio": "Estudio de tatuajes",
    "train_station": "Estación de tren",
    "transportation_facility": "Instalación de transporte",
    "truck_stop": "Parada de camiones",
    "urgent_care": "Centro de atención de urgencias",
    "weigh_station": "Estación de pesaje",
    "welcome_center": "Centro de bienvenida",
    "wellness_center": "Centro de bienestar",
    "womens_health_center": "Centro de salud de la mujer",
    "youth_transitional_services": "Servicios de transición para jóvenes",
}

# Venue entries in posting_laws.csv's venue_types column that are not slugs.
VENUE_ALIASES: dict[tuple[str, str], str | None] = {
    # VT venue_types "workplaces (voluntary)"; sources.md: 13 V.S.A. § 2661 "may be posted ... in workplaces".
    ("VT", "workplaces"): "all_employers",
    # WA venue_types "establishments with public restrooms (voluntary)" (RCW 43.280.110). No slug fits; the row's
    # notes and scope keep the fact. Dropped from covered_venue_types.
    ("WA", "establishments with public restrooms"): None,
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: has_posting_law == "no" -> "voluntary" (the law permits/encourages/requests posting) or "none" (the research
# says there is no such law). Every "no" row must be listed.
# ---------------------------------------------------------------------------------------------------------------------
NO_ROW_STATUS: dict[str, str] = {
    "ID": "voluntary",  # HB 183 (2015) "allows nonprofits to post signs (at their cost) at rest stops"
    "MA": "none",  # notes: "repeated bills 2017-2025 ... No enacted law found"; scope "none_found (bills only)"
    "MT": "voluntary",  # MCA 44-4-1501: DOJ "shall request that any person ... display the poster"
    "OH": "voluntary",  # ORC 5502.63(B)(2) "encourage"; HB 262 "encourages, but does not require"
    "OR": "voluntary",  # ORS 377.880: agencies "shall allow" nonprofit materials to be posted at rest areas
    "VT": "voluntary",  # 13 V.S.A. § 2661: "may be posted in a prominent and accessible location in workplaces"
    "WA": "voluntary",  # RCW 43.280.110 "may voluntarily ... post"; RCW 47.38.080 "may" (rest-area posters)
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: short plain-English titles. Section names come from the citation or a source's section heading; rows with
# nothing to say (no law found) get no title.
# ---------------------------------------------------------------------------------------------------------------------
TITLES: dict[str, str] = {
    "AL": "Human trafficking hotline poster law (SB 50, 2012)",  # bills_session_laws; Code section not read
    "AR": "Posting the National Human Trafficking Resource Center hotline (Ark. Code § 12-19-102)",  # getpocketlaw
    "CA": "Human trafficking notice posting (Cal. Civ. Code § 52.6)",
    "CT": "Human trafficking notice posting (Conn. Gen. Stat. § 54-234a)",
    "DC": "Public posting of human trafficking hotline (D.C. Code § 22-1843)",  # section name from the chapter TOC
    "DE": "Human trafficking public awareness signs (11 Del. C. § 787)",
    "FL": "Human trafficking public awareness signs (Fla. Stat. § 787.29)",  # section name in the source address
    "GA": "Posting of the human trafficking model notice (O.C.G.A. § 16-5-47)",  # instalawyer "posting-model-notice"
    "HI": "Human trafficking poster for employers (Haw. Rev. Stat. § 371-20)",
    "ID": "Nonprofits may post hotline signs at rest stops (HB 183, 2015)",
    "IL": "Human Trafficking Resource Center Notice Act (775 ILCS 50)",
    "KS": "National Human Trafficking Hotline posting (HB 2079, 2021)",  # AG release; statute section not read
    "KY": "Human trafficking hotline signs (KRS 281.767 and related laws)",
    "LA": "Posting of the National Human Trafficking Resource Center hotline (La. R.S. 15:541.1)",
    "MD": "National Human Trafficking Resource Center hotline signs (Md. Bus. Reg. §§ 15-207, 19-103)",
    "ME": "Human trafficking public awareness signs (26 M.R.S. § 879)",
    "MI": "Human Trafficking Notification Act (MCL 752.1031 et seq.)",
    "MO": "National human trafficking hotline posters (RSMo § 595.120)",
    "MT": "Human trafficking hotline poster; display requested, not required (Mont. Code Ann. § 44-4-1501)",
    "NC": "Human trafficking public awareness signs (S.L. 2017-57, § 17.4)",
    "NE": "Human trafficking posters in rest stops and strip clubs (statute not identified)",  # AP 2021 quote
    "NJ": "Human trafficking public awareness signs (N.J.S.A. 52:17B-237.1)",
    "NM": "Human trafficking notice for employers, licensees and transportation facilities (HB 181, 2014)",
    "NY": "Human trafficking hotline signs at truck stops, MTA facilities and Thruway service areas",
    "OH": "State hotline posters encouraged, not required (Ohio Rev. Code § 5502.63)",
    "OR": "Agencies must allow hotline posters in rest areas (ORS 377.880)",
    "PA": "National Human Trafficking Resource Center Hotline Notification Act (Act 197 of 2012)",
    "RI": "Human trafficking public-awareness signs (R.I. Gen. Laws § 11-67.1-20; hotels: § 5-14.1-1 et seq.)",
    "SC": "Posting of human trafficking hotline information (S.C. Code Ann. § 16-3-2100)",
    "TN": "Human trafficking posters in state welcome centers (2021 Pub. Ch. 268)",
    "TX": "Required human trafficking signs (Tex. Gov't Code § 402.0351; Bus. & Com. Code § 102.101)",
    "VA": "Human trafficking hotline notice (Va. Code § 40.1-11.3)",
    "VT": "Optional workplace posting of the resource guide (13 V.S.A. § 2661)",
    "WA": "Voluntary restroom notices and optional rest-area posters (RCW 43.280.110; RCW 47.38.080)",
    "WV": "Human trafficking assistance notices (W. Va. Code § 15-9A-4)",
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: enactment year. By default the earliest four-digit year in the year_enacted cell; these rows override it
# (None = leave empty) because the cell itself says the first enactment is unknown or not confirmed.
# ---------------------------------------------------------------------------------------------------------------------
ENACTED_YEAR_OVERRIDES: dict[str, int | None] = {
    "DE": None,  # "2023 (SS 1 for SB 43 expansion); earlier SB 197 signage law (year not read)"
    "IN": None,  # "2025 (if signed)"; notes: "governor's signature was not confirmed"
    "MD": None,  # "19-103 effective 2017 (onebread); 15-207 year not read" (an effective year; 15-207 may be older)
    "NY": None,  # "2016 (SOS 483-ff);2022 (GBL 390-d)": 483-ff only "encourage"s; PBA 1266-m / 389 years not read
    "RI": None,  # "2021 (hotels; eff 1/1/2022); § 11-67.1-20 year not read" (§ 11-67.1-20 existed by 2018, H 8129)
    "VA": None,  # "2013 (truck stops ...); adult-entertainment provision earlier (year not read)"
    "VT": None,  # "2011 (Act 55) - section year not confirmed"
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: effective dates, only where the notes or year cell state the date the posting duty took effect.
# ---------------------------------------------------------------------------------------------------------------------
EFFECTIVE_FROM: dict[str, str] = {
    "AL": "2013-01-01",  # notes: "Effective 1/1/2013 (bamapolitics)."
    "CA": "2013-04-01",  # notes: "Effective 4/1/2013."
    "DC": "2015-05-07",  # year_enacted: "law effective 5/7/2015" (D.C. Law 20-276)
    "GA": "2013-09-15",  # notes: "Effective 9/15/2013."
    "HI": "2014-01-01",  # notes: "Effective 1/1/2014."
    "IL": "2016-01-01",  # year_enacted: "2015 (effective 1/1/2016)"
    "ME": "2018-08-02",  # year_enacted: "2018 (effective 8/2/2018)"
    "MI": "2016-07-04",  # year_enacted: "2016 (effective 7/4/2016)"
    "MO": "2019-03-01",  # year_enacted: "2018 (posting required from 3/1/2019)"
    "NM": "2014-07-01",  # year_enacted: "2014 (effective 7/1/2014)"
}
# Not set on purpose: IN (7/1/2025 only "if signed"), KY (7/15/2024 is HB 3's hotel part only, kept as a condition),
# RI (1/1/2022 is the hotel part only), VA (7/1/2013 is the truck-stop amendment only), WV ("ninety days from
# passage" of 3/14/2015 is not a stated date).

# ---------------------------------------------------------------------------------------------------------------------
# Curated: conditions on covered venue types, from the notes (or sources.md) where they state one. "Unconfirmed: ..."
# marks a venue type the research itself flags as resting on a secondary or truncated source. A parenthetical in the
# CSV venue cell (e.g. "casino (if LB 461 enacted)") is used as the condition unless an entry here replaces it.
# ---------------------------------------------------------------------------------------------------------------------
CA_TRUNCATED_ITEM = "Unconfirmed: inferred from a truncated list item ('Hair, nail, electrolysis, and skin care ...')"
VENUE_CONDITIONS: dict[str, dict[str, str]] = {
    "AL": {
        # notes: "Liquor venues = licensees without a food/beverage permit"
        "bar_liquor_licensee": "only liquor licensees without a food/beverage permit",
        # notes: "hotels only if cited as nuisance (13A-12-110..122 or 6-5-140)"
        "hotel_motel": "only if cited as a nuisance (Code of Ala. §§ 13A-12-110 to -122 or 6-5-140)",
        # notes: "Massage parlors listed only in bamapolitics summary."
        "massage_establishment": "Unconfirmed: listed only in a secondary summary (bamapolitics)",
    },
    "AR": {
        # notes: "Hotels/motels only if cited as public nuisance for prostitution (§ 20-27-401)"
        "hotel_motel": "only if cited as a public nuisance for prostitution (§ 20-27-401)",
        # notes: "liquor = private clubs with on-premises permit not holding out as food service"
        "bar_liquor_licensee": "only private clubs with an on-premises permit that do not hold out as food service",
        # notes: "Truck stop defined as privately owned facility with food, fuel, shower, overnight parking."
        "truck_stop": "privately owned facilities offering food, fuel, showers and overnight parking",
    },
    "CA": {
        # notes: "Hotels/motels/B&Bs added by AB 260 (eff 1/1/2019)."
        "hotel_motel": "hotels, motels and bed and breakfast inns, since 1/1/2019 (AB 260)",
        # notes: "Massage exemption for sole licensed owner-operator."
        "massage_establishment": "except a sole licensed owner-operator",
        # notes: item (15) 'hair, nail, electrolysis, and skin care, and other re...' (truncated; slugs inferred)
        "nail_salon": CA_TRUNCATED_ITEM,
        "cosmetology_salon": CA_TRUNCATED_ITEM,
    },
    "CT": {
        # notes: "Employment agency only if it serves listed operators."
        "job_recruitment": "only employment agencies that serve the listed operators",
        # notes: "On-premises liquor permit exemptions: caterer, boat, military, charitable, special club, temporary,
        # manufacturer permits."
        "bar_liquor_licensee": (
            "on-premises permit holders, except caterer, boat, military, charitable, special club, temporary and "
            "manufacturer permits"
        ),
        # notes: "Esthetician establishments appear in 2020 version."
        "esthetician": "listed in the 2020 version of the statute",
    },
    "DC": {
        # notes: "a hotel must post a sign for one year if an arrest for a human trafficking offense leading to a
        # conviction was made at the property; hotels that self-report are exempt."
        "hotel_motel": (
            "only for one year after an arrest at the property for a human trafficking offense that led to a "
            "conviction; hotels that self-report are exempt"
        ),
    },
    "DE": {
        # notes: "Convenience stores and gas stations only 'along a major highway' (I-95, I-295, I-495, Rt 1, 9, 13,
        # 40, 113, 141, 202)."
        "convenience_store": "only along a major highway (I-95, I-295, I-495, Routes 1, 9, 13, 40, 113, 141, 202)",
        "gas_station": "only along a major highway (I-95, I-295, I-495, Routes 1, 9, 13, 40, 113, 141, 202)",
    },
    "FL": {
        # notes: "Massage: only establishments not owned by a ch. 456 health care practitioner."
        "massage_establishment": "only establishments not owned by a health care practitioner licensed under ch. 456",
    },
    "GA": {
        # notes: "Rest areas = safety rest areas on interstates."
        "rest_area": "safety rest areas on interstates",
        # notes: "Massage = bodywork by a person who is not a massage therapist."
        "massage_establishment": "only massage or bodywork by a person who is not a licensed massage therapist",
        # notes: "Government buildings added 2017"
        "government_building": "added in 2017",
    },
    "HI": {
        # notes: "Covered employers: class 5 or class 11 liquor licensees; massage therapy establishments with >=5
        # employees; employers of erotic/nude massagers or exotic/nude dancers (§ 712-1210)."
        "bar_liquor_licensee": "class 5 or class 11 liquor licensees; poster in employee areas",
        "massage_establishment": "massage therapy establishments with 5 or more employees; poster in employee areas",
        "adult_entertainment": (
            "employers of erotic or nude massagers or exotic or nude dancers (§ 712-1210); poster in employee areas"
        ),
    },
    "IL": {
        # notes: "Liquor = on-premise consumption retailers where alcohol sale is the principal business."
        "bar_liquor_licensee": "only on-premises consumption retailers whose principal business is selling alcohol",
    },
    "IN": {
        # notes: amended HB 1416 "requires state-owned rest areas to display ... posters"; signature not confirmed
        "rest_area": "state-owned rest areas; only if HB 1416 (2025) was signed (not confirmed)",
        # venue_types: "welcome_center (state-owned; mandatory if enacted)"
        "welcome_center": "state-owned welcome centers; only if HB 1416 (2025) was signed (not confirmed)",
        # notes: Senate amendment "made gas station posters optional"
        "gas_station": "optional (Senate amendment made gas station posters optional)",
    },
    "KY": {
        # notes: "HB 3 (2024) eff 7/15/2024" (hotel provisions per statute_citations)
        "hotel_motel": "since 7/15/2024 (HB 3)",
        # notes: "Public schools and all highway rest areas added in 2017 per NCSL blog (statute not read)."
        "school": "public schools, since 2017 (per NCSL; statute not read)",
        "rest_area": "all highway rest areas, since 2017 (per NCSL; statute not read)",
        # notes: "airports/highways per honknews committee report (secondary)."
        "airport": "Unconfirmed: per a committee report in the trade press (honknews)",
    },
    "LA": {
        # notes: "Massage parlors/spas/hotels covered if found public nuisance for prostitution (R.S. 13:4711); every
        # hotel (separately, with exclusions for small nonprofit B&Bs/camps)"
        "massage_establishment": "only if found a public nuisance for prostitution (R.S. 13:4711)",
        "hotel_motel": (
            "every hotel, except small nonprofit B&Bs and camps (and any hotel found a prostitution nuisance)"
        ),
        # notes: "truck stops narrowed in 2013 to full-service fuel facilities adjacent to interstates"
        "truck_stop": "full-service fuel facilities adjacent to interstates (since 2013)",
        # notes: "highway rest stops; outpatient abortion facilities; airports, bus terminals, railroad passenger
        # stations (2018)."
        "abortion_facility": "outpatient abortion facilities",
        "airport": "since 2018 (SB 166)",
        "bus_station": "since 2018 (SB 166)",
        "train_station": "railroad passenger stations, since 2018 (SB 166)",
    },
    "MD": {
        # notes: "Only privately owned bus stations."
        "bus_station": "only privately owned bus stations",
        # notes: "Lodging posting is triggered by a civil citation where arrests leading to convictions for
        # prostitution/solicitation of a minor/HT occurred." placement: "in each guest room for 1 year"
        "hotel_motel": (
            "only after a civil citation for arrests leading to convictions for prostitution, solicitation of a minor "
            "or human trafficking; sign in each guest room for 1 year"
        ),
    },
    "ME": {
        # notes: "hospitals/facilities providing emergency services (licensed 22 § 1811)"
        "emergency_room_hospital": "hospitals and facilities providing emergency services (licensed under 22 § 1811)",
        # notes: "eating and lodging places licensed under 22 ch. 562 ... mapped to hotel_motel + restaurant slugs."
        "hotel_motel": "eating and lodging places licensed under 22 M.R.S. ch. 562",
        "restaurant": "eating and lodging places licensed under 22 M.R.S. ch. 562",
        # notes: "DOL career centers; Governor's Jobs Initiative offices"
        "job_recruitment": "Department of Labor career centers and Governor's Jobs Initiative offices",
        # notes: "licensed money transmitters; check cashers/foreign currency exchange"
        "money_transmitter_check_casher": "licensed money transmitters, check cashers and foreign currency exchanges",
        # sources.md: DOT and Maine Turnpike Authority "shall ... post ... in every transportation center and every
        # highway rest area and welcome center"
        "train_station": "transportation centers (posted by DOT and the Maine Turnpike Authority)",
        "bus_station": "transportation centers (posted by DOT and the Maine Turnpike Authority)",
        "rest_area": "posted by DOT and the Maine Turnpike Authority",
        "welcome_center": "posted by DOT and the Maine Turnpike Authority",
    },
    "MI": {
        # notes: "Adult entertainment = topless activity permit holders or establishments with performers disrobing."
        "adult_entertainment": "topless activity permit holders or establishments where performers disrobe",
        # notes: "Nuisance property = property found by a court to be a public nuisance due to prostitution/HT."
        "nuisance_property": "found by a court to be a public nuisance due to prostitution or human trafficking",
    },
    "MO": {
        # notes: "Hotels only if cited as public nuisance for prostitution (§ 567.080)"
        "hotel_motel": "only if cited as a public nuisance for prostitution (§ 567.080)",
        # notes: "liquor = private clubs with on-premises permit not food-service and not nonprofit-affiliated"
        "bar_liquor_licensee": (
            "only private clubs with an on-premises permit that are not food service and not nonprofit-affiliated"
        ),
        # notes: "massage by persons not licensed under § 324.265"
        "massage_establishment": "only massage by persons not licensed under § 324.265",
        # notes: "Rest areas per Douglas County Herald (list beyond item 16 not read directly)."
        "rest_area": "Unconfirmed: per a news report (Douglas County Herald); statute list not read that far",
    },
    "MT": {
        # venue_types: "rest_area (DOJ placement in practice)"; notes: "DOJ placed posters in all Montana rest areas"
        "rest_area": "DOJ placed posters in all rest areas (2013); the statute only requests display",
    },
    "NC": {
        # scope note: "ABC permittees: visible to employees only, after SB 257 change"
        "bar_liquor_licensee": "ABC permittees; sign visible to employees only since the 2018 technical correction",
        # notes: "'transportation station' mapped to train/bus slugs."
        "train_station": "transportation stations",
        "bus_station": "transportation stations",
    },
    "NE": {
        # venue_types: "casino (if LB 461 enacted)"; notes: "LB 461 final status still not confirmed"
        "casino": "only if LB 461 (2021) was enacted (not confirmed)",
    },
    "NM": {
        # notes (2nd pass): "Minimum Wage Act employers, liquor licensees under 60-6A-2 to -5, Public Health Act health
        # facilities, government transportation facilities incl. highway rest areas"
        "all_employers": "every employer subject to the Minimum Wage Act",
        "bar_liquor_licensee": "licensees under NMSA 60-6A-2 to 60-6A-5",
        "health_facility": "health facilities licensed under the Public Health Act",
        "rest_area": "highway rest areas managed by a state or local agency",
        "transportation_facility": "managed by a state or local agency",
    },
    "NY": {
        # notes: "Truck stop = facility fueling/servicing commercial motor vehicles within 2,500 ft of an
        # interstate/freeway."
        "truck_stop": "facilities fueling or servicing commercial motor vehicles within 2,500 ft of an interstate",
        # statute_citations: "N.Y. Pub. Auth. Law § 1266-m (MTA transit facilities)"
        "public_transit": "MTA transit facilities (Pub. Auth. Law § 1266-m)",
        # statute_citations: "N.Y. Pub. Auth. Law § 389 (Thruway service areas)"; notes: NHTH also on CCTV systems
        "highway_service_plaza": "Thruway service areas (Pub. Auth. Law § 389); number also shown on CCTV systems",
    },
    "OH": {
        # notes: "HB 262 (2012) encourages, but does not require, unlicensed massage establishments to post"
        "massage_establishment": "encouraged only; unlicensed massage establishments (HB 262, 2012)",
    },
    "OR": {
        # notes: "Agencies 'shall allow' nonprofit-supplied materials to be posted ... - not a duty to post."
        "rest_area": "agencies must allow nonprofit-supplied posters; no duty to post",
    },
    "PA": {
        # notes: "Drinking establishments and hotels/motels covered only if found to be drug-related or common
        # nuisances"
        "bar_liquor_licensee": "only if found to be a drug-related or common nuisance",
        "hotel_motel": "only if found to be a drug-related or common nuisance",
        # notes: "Welcome centers/rest areas operated by PennDOT or the Turnpike."
        "rest_area": "operated by PennDOT or the Pennsylvania Turnpike",
        "welcome_center": "operated by PennDOT or the Pennsylvania Turnpike",
        # notes: "Truck stops per Dauphin County DA."
        "truck_stop": "Unconfirmed: per a county district attorney's page",
    },
    "RI": {
        # sources.md: "every transportation station, rest area, and welcome center"
        "train_station": "transportation stations open to the public",
        "bus_station": "transportation stations open to the public",
        # required_languages / placement: hotels post "in a location conspicuous to employees"; eff 1/1/2022
        "hotel_motel": "sign in a location conspicuous to employees; since 1/1/2022 (P.L. 2021 ch. 308 and ch. 337)",
        # notes: "venue slugs strip_club/job_recruitment/hospital/emergency_room_hospital added on that basis" (bill
        # summaries - secondary)
        "strip_club": "Unconfirmed: employer category from bill summaries (secondary)",
        "job_recruitment": "Unconfirmed: employer category from bill summaries (secondary)",
        "hospital": "Unconfirmed: employer category from bill summaries (secondary)",
        "emergency_room_hospital": "Unconfirmed: employer category from bill summaries (secondary)",
    },
    "SC": {
        # notes: "Adult business = nightclub, bar, restaurant, etc. with sexually explicit nudity/seminudity"
        "adult_entertainment": "nightclubs, bars, restaurants and similar businesses with sexually explicit nudity",
        # notes: "massage by persons not licensed under Title 40 ch. 30"
        "massage_establishment": "only massage by persons not licensed under Title 40, Chapter 30",
        # notes: "agricultural labor contractors and transporters (§ 41-27-120)"
        "farm_labor_contractor": "agricultural labor contractors and transporters (§ 41-27-120)",
    },
    "TN": {
        # notes: PC 268 (2021): poster provided "to the Department of Tourism for placement in Tennessee Welcome
        # Centers"
        "welcome_center": "state welcome centers (posters placed by the Department of Tourist Development)",
    },
    "TX": {
        # notes: "Alcohol = permits under ABC chs. 25, 26, 28, 32, 69, 71 (not food & beverage certificate holders)."
        "bar_liquor_licensee": (
            "permits under Alcoholic Beverage Code chs. 25, 26, 28, 32, 69 and 71 (not food and beverage certificate "
            "holders)"
        ),
        # notes: "Transportation hub = bus, bus stop, train, train station, rest area, gas station with adjacent
        # convenience store, airport."
        "gas_station": "only a gas station with an adjacent convenience store",
        "convenience_store": "only a convenience store adjacent to a gas station",
        # placement: "SOBs: in each toilet stall of each restroom"; Bus. & Com. Code §§ 102.101-.102
        "adult_entertainment": "sexually oriented businesses: sign in each toilet stall (Bus. & Com. Code § 102.101)",
        # enforcing_agency: "Texas Parks and Wildlife posts at state parks"
        "state_park": "posted by Texas Parks and Wildlife",
    },
    "VA": {
        # notes: "Truck stop = facility capable of fueling an IFTA-marked qualified highway vehicle (§ 58.1-2700)."
        "truck_stop": "facilities able to fuel an IFTA-marked qualified highway vehicle (§ 58.1-2700)",
        # notes: "Arts/theatrical venues exempt."
        "adult_entertainment": "arts and theatrical venues exempt",
    },
    "VT": {
        # sources.md: 13 V.S.A. § 2661 "may be posted in a prominent and accessible location in workplaces"
        "all_employers": "voluntary: the resource guide may be posted in workplaces",
    },
    "WA": {
        # venue_types "rest_area (permissive)"; RCW 47.38.080: "The department may work with ... advocates in
        # developing informational posters for placement in rest areas"
        "rest_area": "permissive: WSDOT may place posters (RCW 47.38.080)",
    },
    "WV": {
        # notes: "Venue list truncated after 'Passeng...' (passenger rail assumed ... - train_station slug low
        # confidence)."
        "train_station": "Unconfirmed: assumed from a truncated list ('Passeng...')",
    },
    "ID": {
        # notes: "HB 183 ... allows nonprofits to post signs (at their cost) at rest stops"
        "rest_area": "permissive: nonprofits may post signs at their own cost",
    },
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: required_languages where splitting the CSV cell on ";" would be wrong.
# ---------------------------------------------------------------------------------------------------------------------
LANGUAGE_OVERRIDES: dict[str, list[str]] = {
    # cell: "posters available in English, Spanish, Chinese, ..., Korean (AG site)" - availability, not a requirement.
    "KS": [],
    # cell: "languages specified in statute (not captured)" - the languages were not read.
    "LA": [],
    # cell: "transport signs: English;Spanish; hotels: English + any language spoken by >=10% of employees" - the ";"
    # inside the transport part is not a list separator.
    "RI": ["transport signs: English and Spanish", "hotels: English + any language spoken by >=10% of employees"],
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: national hotline flag where the leading yes/no of nhth_number_required would mislead.
# ---------------------------------------------------------------------------------------------------------------------
HOTLINE_OVERRIDES: dict[str, bool | None] = {
    "IN": None,  # "yes (if enacted)" - enactment not confirmed
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: entries of the CSV sources column that are not a bare address. Value: the addresses they stand for (empty
# list = no address exists in the research; the reference stays in the committed research copy).
# ---------------------------------------------------------------------------------------------------------------------
# WA: GitHub mirror of the RCW and of bills (tannewt/wa-law.org). The research gives repository, commit and path for
# RCW 47.38; for the two bill files it gives repository and path only, and the commits are those at which the public
# GitHub index holds these exact paths (looked up when this script was written).
_WA_MIRROR = "https://github.com/tannewt/wa-law.org/blob"
WA_RCW_47_38 = f"{_WA_MIRROR}/8548d71d15d3f011da3e203800f3f668811f2f82/" + quote(
    "rcw/47_public_highways_and_transportation/47.38_roadside_areas—safety_rest_areas.md"
)
WA_HB_2077 = f"{_WA_MIRROR}/866880ac264eaae374819bfdf3ae861630f4f442/bill/2021-22/hb/2077/1/README.md"
WA_SB_6056 = f"{_WA_MIRROR}/40e380e91c2b4c11a52545440f9714cee2a27bb7/site/bill/2023-24/sb/6056/README.md"
SOURCE_REFERENCES: dict[str, list[str]] = {
    # KS: a printed register with no address in the research.
    "Kansas Register v.40 no.21 (5/27/2021) HB 2079 text": [],
    # WA: the RCW 47.38 mirror file (see WA_RCW_47_38).
    "GitHub tannewt/wa-law.org @8548d71d15d3f011da3e203800f3f668811f2f82, "
    "rcw/47_public_highways_and_transportation/47.38_roadside_areas—safety_rest_areas.md (RCW 47.38 mirror)": [
        WA_RCW_47_38
    ],
    # WA: the HB 2077 and SB 6056 mirror files (see WA_HB_2077, WA_SB_6056).
    "GitHub tannewt/wa-law.org, bill/2021-22/hb/2077/1/README.md (HB 2077 text) and "
    "site/bill/2023-24/sb/6056/README.md": [WA_HB_2077, WA_SB_6056],
}

# ---------------------------------------------------------------------------------------------------------------------
# Curated: source titles that posting_laws_sources.md gives in prose (a name without the address, or "Name (address)")
# rather than as "Title — address" (those are parsed mechanically). Keyed by address; the title is the name the
# research file uses for that source.
# ---------------------------------------------------------------------------------------------------------------------
SOURCE_TITLES: dict[str, str] = {
    # AK unknown section: "Anchorage ordinance AO 2016-115(S) requires a sign (https://www.muni.org/...)"
    "https://www.muni.org/Departments/Mayor/Pages/HumanTrafficking.aspx": "Anchorage ordinance AO 2016-115(S)",
    # AZ second pass: "(azdot.gov blog, 1/31/2020)"
    "https://azdot.gov/blog-article/helping-end-human-trafficking-year-round-mission-adot": "azdot.gov blog, 1/31/2020",
    # DC: "D.C. Code Chapter 18A table of contents listing ... (via instalawyer)"
    "https://instalawyer.io/laws/district-of-columbia-code/22-1842-training-program": (
        'D.C. Code Chapter 18A table of contents listing "§ 22\u20131843. Public posting of human trafficking hotline" '
        "(via instalawyer)"
    ),
    # DE second pass: "SB 43 text (legis.delaware.gov GenerateHtmlDocument)"; "Senate GOP release (https://...)"
    "https://legis.delaware.gov/json/BillDetail/GenerateHtmlDocument?legislationId=130008&legislationTypeId=1"
    "&docTypeId=2&legislationName=SB43": "SB 43 text (legis.delaware.gov GenerateHtmlDocument)",
    "https://senategop.delaware.gov/?p=1414": "Senate GOP release",
    # FL: "2015 bill versions (flsenate.gov HB 369 amendments; SB 534)"
    "https://flsenate.gov/Session/Bill/2015/369/Amendment/163134/HTML": (
        "2015 bill version (flsenate.gov HB 369 amendment)"
    ),
    # GA: "O.C.G.A. § 16-5-47 (instalawyer)"; "swaht.org (quotes § 16-5-47(b))"; "Lexology"
    "https://instalawyer.io/laws/georgia-code/16-5-47-posting-model-notice": "O.C.G.A. § 16-5-47 (instalawyer)",
    "https://www.swaht.org/mandatory-human-trafficking-signage": "swaht.org (quotes § 16-5-47(b))",
    "https://www.lexology.com/library/detail.aspx?g=320737d9-fd67-4454-ab59-11ab6bfdec75": "Lexology",
    # IN second pass: "Indiana Capital Chronicle via Indiana Public Media (https://...)"; "Rep. Bartlett (https://...)"
    "https://indianapublicmedia.org/news/illicit-massage-parlor-language-added-to-weakened-indiana-anti-human-"
    "trafficking-proposal.php": "Indiana Capital Chronicle via Indiana Public Media",
    "https://indianahousedemocrats.org/news/bartletts-anti-human-trafficking-bill-heads-to-senate-floor": (
        "Rep. Bartlett"
    ),
    # KS: "SB 371 (2020) committee minutes"
    "https://kslegislature.gov/li_2020/b2019_20/measures/minutes/agenda_item_2020021116238618271": (
        "SB 371 (2020) committee minutes"
    ),
    # KY: "KRS 281.767 (casetext; self-law.org)"; "NCSL blog, 2018"
    "https://casetext.com/statute/kentucky-revised-statutes/title-24-public-utilities/chapter-281-motor-carriers/"
    "general-provisions/section-281767-effective-7152024-human-trafficking-hotline-telephone-number-to-be-prominently-"
    "displayed-in-each-truck-stops-and-bus-stations-restrooms": "KRS 281.767 (casetext)",
    "https://self-law.org/code/ky/281-767": "KRS 281.767 (self-law.org)",
    "https://www.ncsl.org/blog/2018/01/26/human-trafficking-see-something-say-something.aspx": "NCSL blog, 2018",
    # LA: "La. R.S. 15:541.1 (getpocketlaw)"; "Legiplex: SB 435 (2012) enrolled; HB 126 (2013) Act 430; SB 166 (2018)"
    "https://getpocketlaw.com/law/state_louisiana/section-541-1-posting-of-the-national-human-trafficking-resource-"
    "center-hotline-content-languages-notice-civil-penalty_c20e960fa99d": "La. R.S. 15:541.1 (getpocketlaw)",
    "https://app.legiplex.com/la/legislature/2012/2012-r/bills/sb435/draft-510658?id=510658": (
        "Legiplex: SB 435 (2012) enrolled"
    ),
    "https://app.legiplex.com/la/legislature/2013/2013-r/bills/hb126/drafts-latest": "Legiplex: HB 126 (2013) Act 430",
    "https://app.legiplex.com/la/legislature/2018/2018-r/bills/sb166": "Legiplex: SB 166 (2018)",
    # MD: "Bus. Reg. § 15-207 (getpocketlaw; lexace)"; "Bus. Reg. § 19-103 (instalawyer; onebread)"
    "https://getpocketlaw.com/law/state_maryland/section-15-207-national-human-trafficking-resource-center-hotline-"
    "information_44ff80df97f6": "Bus. Reg. § 15-207 (getpocketlaw)",
    "https://lexace.ai/us/statute/maryland/BR-15-207": "Bus. Reg. § 15-207 (lexace)",
    "https://instalawyer.io/laws/maryland-statutes/section-19-103-national-human": "Bus. Reg. § 19-103 (instalawyer)",
    "https://onebread.org/maryland-legislature-19103": "Bus. Reg. § 19-103 (onebread)",
    # ME: "sta-law.com"
    "https://www.sta-law.com/2018/08/update-to-human-trafficking-poster-article/": "sta-law.com",
    # MI: "MCL 752.1035 (legislature.mi.gov)"; "HB 5107 as passed (renderpdf...)"; "Vulcanbills summary";
    # "WLNS/WAVY 7/4/2016"
    "http://legislature.mi.gov/(S(lbxmo3q2sja1txrjhadnf2zl))/mileg.aspx?page=getObject&objectName=mcl-752-1035": (
        "MCL 752.1035 (legislature.mi.gov)"
    ),
    "https://renderpdf.legislature.mi.gov/documents/2015-2016/billconcurred/House/htm/2015-HCB-5107.htm": (
        "HB 5107 as passed (renderpdf.legislature.mi.gov)"
    ),
    "https://vulcanbills.com/mi/2015/HB5107": "Vulcanbills summary",
    "http://wavy.com/2016/07/04/new-law-comes-to-a-rest-stop-bus-station-and-strip-club-near-you/": (
        "WLNS/WAVY 7/4/2016"
    ),
    # MO: "RSMo § 595.120 (instalawyer)"; "MOCADSV, 2019 (statute list)"; "Joplin PD, 2019"
    "https://instalawyer.io/laws/missouri-revised-statutes/section-595120-national-human": (
        "RSMo § 595.120 (instalawyer)"
    ),
    "https://www.mocadsv.org/blog/2019/missouri-stop-human-trafficking-poster-available-through-department-of-public-"
    "safety": "MOCADSV, 2019 (statute list)",
    "https://insidejoplin.blogspot.com/2019/02/joplin-police-human-trafficking-poster.html": "Joplin PD, 2019",
    # MT, OR, VT ("no" section): "MCA 44-4-1501 — ..."; "ORS 377.880 — ..."; "13 V.S.A. § 2661 — ..."
    "https://leg.mt.gov/bills/mca/title_0440/chapter_0040/part_0150/section_0010/0440-0040-0150-0010.html": (
        "MCA 44-4-1501"
    ),
    "https://oregon.public.law/statutes/ors_377.880": "ORS 377.880",
    "https://legislature.vermont.gov/statutes/section/13/060/02661": "13 V.S.A. § 2661",
    # NC: "complianceposter.com (statute cites)"; "News & Observer"; "Goldsboro News-Argus editorial on SB 257";
    # second pass: "Charlotte Area Hotel Association, 6/15/2018 (http://...)"
    "https://complianceposter.com/product/north-carolina-human-trafficking-poster": (
        "complianceposter.com (statute cites)"
    ),
    "https://www.newsobserver.com/news/politics-government/article206194944.html": "News & Observer",
    "https://www.newsargus.com/editorials/three-words-that-could-save-lives-lost-in-technical-correction/"
    "article_eff6135f-5c62-5323-8756-e7a6c6b5eb7f.html": "Goldsboro News-Argus editorial on SB 257",
    "http://www.charlotteareahotels.com/news/2018/6/15/changes-made-to-law-requiring-hotels-to-display-human-"
    "trafficking-posters": "Charlotte Area Hotel Association, 6/15/2018",
    # ND second pass: "N.D.C.C. ch. 12.1-41 ... (justia, 2023 code)"
    "https://law.justia.com/codes/north-dakota/current/title-12-1/chapter-12-1-41/": (
        "N.D.C.C. ch. 12.1-41 (justia, 2023 code)"
    ),
    # NJ: "complianceposter.com (rest of the venue list; size and font)"
    "https://complianceposter.com/product/new-jersey-human-trafficking-poster": (
        "complianceposter.com (rest of the venue list; size and font)"
    ),
    # NM: "NatLawReview"; "Proskauer via Mondaq"
    "https://www.natlawreview.com/article/new-mexico-mandates-human-trafficking-poster-employers": "NatLawReview",
    "http://webiis05.mondaq.com/unitedstates/x/305810/employee+rights+labour+relations/New+Mexico+Law+Requires+"
    "Employers+To+Post+Human+Trafficking+Poster": "Proskauer via Mondaq",
    # NV second pass: "(AP via Yahoo; Nevada Appeal 3/19/2013)"
    "https://finance.yahoo.com/news/nev-assembly-considers-sex-trafficking-142707875.html": "AP via Yahoo",
    "https://www.nevadaappeal.com/news/2013/mar/19/assembly-bills-enhance-trafficking-victims-aid/": (
        "Nevada Appeal 3/19/2013"
    ),
    # NY: "PBA § 389 (lexace)"; 'A9814 ("signed chap.391 7/20/2022", vulcanbills)'
    "https://lexace.ai/us/statute/new-york/pba-389": "PBA § 389 (lexace)",
    "https://vulcanbills.com/ny/2021/A09814": 'A9814 ("signed chap.391 7/20/2022", vulcanbills)',
    # OH: "cleveland.com letter, Jan 2022"; "ABMP on HB 262 (2012)"
    "https://www.cleveland.com/letters/2022/01/make-human-trafficking-hotline-posters-mandatory-in-key-ohio-"
    "locations.html": "cleveland.com letter, Jan 2022",
    "https://www.abmp.com/updates/legislative-updates/ohio/oh-bill-encourages-posting-human-trafficking-notices": (
        "ABMP on HB 262 (2012)"
    ),
    # PA: "Rep. Keller co-sponsorship memo, 3/7/2018"; "Dauphin County DA page"
    "http://legis.state.pa.us/cfdocs/Legis/CSM/showMemoPublic.cfm?SPick=20170&chamber=H&cosponId=25361": (
        "Rep. Keller co-sponsorship memo, 3/7/2018"
    ),
    "https://www.dauphincounty.org/government/publicly_elected_officials/district_attorney/_human_trafficking.php": (
        "Dauphin County DA page"
    ),
    # RI: "P.L. 2021 ch. 337 (S 0408A)"; "H 8129 (2018) and H 5650 (2019) bills amending § 11-67.1-20";
    # second pass: "upriseri.com on S 2100"; "fastdemocracy on a 2025 bill"
    "http://webserver.rilin.state.ri.us/PublicLaws/law21/law21337.htm": "P.L. 2021 ch. 337 (S 0408A)",
    "http://webserver.rilin.state.ri.us/BillText18/HouseText18/H8129.htm": "H 8129 (2018), bill amending § 11-67.1-20",
    "http://webserver.rilin.state.ri.us/BillText19/HouseText19/H5650.htm": "H 5650 (2019), bill amending § 11-67.1-20",
    "https://upriseri.com/bill/s2100": "upriseri.com on S 2100",
    "https://fastdemocracy.com/bill-summary/?billsummary_id=RIB00032500&billsummary_session=2025"
    "&billsummary_state=ri": ("fastdemocracy on a 2025 bill"),
    # SC: "S.C. Code § 16-3-2100 (lawserver)"
    "https://lawserver.com/law/state/south-carolina/sc-code/south_carolina_code_16-3-2100": (
        "S.C. Code § 16-3-2100 (lawserver)"
    ),
    # TN: "endslaverytn.org"; second pass: "Thunder1320 (2024)"
    "http://www.endslaverytn.org/get-involved/learn/human-trafficking-and-slavery-laws/": "endslaverytn.org",
    "https://thunder1320.com/tennessee-businesses-against-trafficking-program-launches/": "Thunder1320 (2024)",
    # TX: "Gov't Code § 402.0351 (texas.public.law; gavvy)"; "1 TAC ch. 54 (texreg)"; "Bus. & Com. Code § 102.102
    # (texas.public.law)"; "SB 1219 engrossed (86R)"; "HB 3718 (87R)"
    "https://texas.public.law/statutes/tex._gov't_code_section_402.0351": "Gov't Code § 402.0351 (texas.public.law)",
    "https://gavvy.com/details/4020351-required-posting-of-human-trafficking-signs-by-certain-entities-civil-penalty-"
    "31838": "Gov't Code § 402.0351 (gavvy)",
    "https://texreg.sos.state.tx.us/public/readtac$ext.TacPage?sl=R&app=9&p_dir=&p_rloc=&p_tloc=&p_ploc=&pg=1&p_tac="
    "&ti=1&pt=3&ch=54&rl=80": "1 TAC ch. 54 (texreg)",
    "https://texas.public.law/statutes/tex._bus._and_com._code_section_102.102": (
        "Bus. & Com. Code § 102.102 (texas.public.law)"
    ),
    "https://capitol.texas.gov/tlodocs/86R/billtext/html/SB01219E.htm": "SB 1219 engrossed (86R)",
    "http://capitol.texas.gov/tlodocs/87R/billtext/html/HB03718H.HTM": "HB 3718 (87R)",
    # VA: "HB 2061 (2013) text (lis.virginia.gov)"; "complianceposter.com"
    "http://lis.virginia.gov/cgi-bin/legp604.exe?131+ful+HB2061": "HB 2061 (2013) text (lis.virginia.gov)",
    "https://complianceposter.com/product/virginia-human-trafficking-poster": "complianceposter.com",
    # WA second pass: "RCW 47.38.080, read in the GitHub mirror tannewt/wa-law.org"; "RCW 43.280.110 (official
    # lawfilesext page...)"; "The mirror also holds HB 2077's text"; "SB 6056 (2023-24, hotels): the mirror shows..."
    WA_RCW_47_38: "RCW 47.38.080, GitHub mirror tannewt/wa-law.org",
    WA_HB_2077: "HB 2077 (2022) text, GitHub mirror tannewt/wa-law.org",
    WA_SB_6056: "SB 6056 (2023-24), GitHub mirror tannewt/wa-law.org",
    "https://lawfilesext.leg.wa.gov/Law/RCW/RCW%20%2043%20%20TITLE/RCW%20%2043%20.280%20%20CHAPTER/RCW%20%2043%20.280"
    "%20.110.htm": "RCW 43.280.110 (official lawfilesext page)",
    # WI second pass: "The legiplex history for AB 980"
    "https://app.legiplex.com/wi/legislature/2023/2023-r/bills/ab980": "Legiplex: AB 980 (2023-24)",
    # WV: "HB 4169 (2018) introduced and committee-substitute texts (wvlegislature.gov)"
    "http://wvlegislature.gov/Bill_Status/bills_text.cfm?billdoc=hb4169%20intr.htm&yr=2018&sesstype=RS&i=4169": (
        "HB 4169 (2018) introduced text (wvlegislature.gov)"
    ),
    "https://www.wvlegislature.gov/bill_status/bills_text.cfm?billdoc=HB4169%20SUB.htm&yr=2018&sesstype=RS&i=4169": (
        "HB 4169 (2018) committee-substitute text (wvlegislature.gov)"
    ),
}

# Addresses in posting_laws_sources.md that belong to no single state (aggregate pages, background). Listed so that
# the parser fails loudly if a new state-specific address ever lands outside a state's section.
NON_STATE_MD_URLS: frozenset[str] = frozenset(
    {
        "https://www.govdocs.com/states-with-human-trafficking-posters/",
        "https://www.posterguard.com/states-now-requiring-human-trafficking-posters",
        "https://legalclarity.org/human-trafficking-posters-legal-requirements-and-penalties",
        "https://www.postercompliance.com/resources/news/news_tag/human",
        "http://www.polarisproject.org/what-we-do/policy-advocacy/capacity-building/posting-the-national-human-"
        "trafficking-resource-center-hotline",
        "https://polarisproject.org/state-laws-issue-briefs",
        "http://www.ncsl.org/research/civil-and-criminal-justice/human-trafficking-laws-in-the-states-updated-nov.aspx",
    }
)

# ---------------------------------------------------------------------------------------------------------------------
# Curated: Attorney General offices.
# ---------------------------------------------------------------------------------------------------------------------
AG_ZIP_OVERRIDES: dict[str, str] = {
    # zip cell: "04333-0006 (F1) / 04330-0006 (F2 says Maine prints this)"; notes: "F2 notes Maine itself prints
    # 04330-0006". The state's own print is used; the conflict is appended to notes.
    "ME": "04330-0006",
}
AG_CONTACTS: dict[str, str] = {
    # NV notes: "current complaint page publishes no mailing address (phone 775-684-1100 to confirm)"
    "NV": "775-684-1100 (to confirm the address)",
}

# Model field limits (compliance/models.py), checked before writing.
LAW_FIELD_LIMITS = {"scope": 120, "title": 200, "citation": 300, "session_laws": 300, "size_and_font": 200, "key": 32}
AG_FIELD_LIMITS = {
    "office_name": 200,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "state_code": 2,
    "zip_code": 10,
    "address_kind": 120,
    "website": 500,
    "contact": 200,
    "source_note": 200,
    "as_of": 120,
}


# ---------------------------------------------------------------------------------------------------------------------
# Parsing helpers
# ---------------------------------------------------------------------------------------------------------------------
URL_RE = re.compile(r"https?://[^\s)\"<>]+")
TITLED_URL_LINE_RE = re.compile(r"^\s*-\s+(?:\*\*Sources?:\*\*\s+)?(?P<title>[^—]+?)\s+—\s+(?P<url>https?://\S+)\s*$")
CSV_SOURCE_RE = re.compile(r"^(?P<url>https?://\S+)(?:\s+\((?P<note>[^()]*(?:\([^()]*\)[^()]*)*)\))?$")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def split_top_level(cell: str, sep: str = ";") -> list[str]:
    """Split on ``sep`` outside parentheses ("a;b (x; y);c" -> ["a", "b (x; y)", "c"])."""
    parts, depth, current = [], 0, []
    for ch in cell:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def clean_url(url: str) -> str:
    return url.rstrip(".,;:'")


def parse_tristate(value: str) -> bool | None:
    """'yes ...' -> True, 'no ...' -> False, anything else (unknown, n/a, empty, mixed) -> None."""
    word = re.match(r"[a-z/]+", value.lower())
    return {"yes": True, "no": False}.get(word.group(0) if word else "")


def parse_venue_slugs_line(md: str) -> list[str]:
    m = re.search(r"^\*\*Venue slugs used:\*\*(.+)$", md, re.MULTILINE)
    assert m, "posting_laws_sources.md: 'Venue slugs used' line not found"
    text = re.sub(r"\([^)]*\)", "", m.group(1))
    return [s.strip(" .") for s in text.split(",") if s.strip(" .")]


def parse_sources_md(md: str, states: dict[str, str]) -> tuple[dict[str, list[str]], dict[str, str], list[str]]:
    """Attribute each address in posting_laws_sources.md to a state.

    Returns (addresses per state code in file order, titles parsed from "Title — address" lines, unattributed
    addresses). A state is in scope under a "### State" heading, a "**State: ...**" paragraph heading, or a top-level
    "- **State ...**" bullet (with its indented sub-bullets); any other "#"/"##" heading ends it.
    """
    per_state: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    unattributed: list[str] = []
    section_state: str | None = None
    bullet_state: str | None = None
    bullet_override = False

    def state_of(label: str) -> str | None:
        label = re.sub(r"\s*\([^)]*\)", "", label).strip().rstrip(":.").strip()
        return states.get(label)

    for line in md.splitlines():
        if line.startswith("#"):
            m = re.match(r"^###\s+(.+)$", line)
            section_state = state_of(m.group(1)) if m else None
            bullet_override = False
            continue
        m = re.match(r"^\*\*([^*:]+?):", line)
        if m:
            section_state = state_of(m.group(1))
            bullet_override = False
        elif line.startswith("- "):
            m = re.match(r"^- \*\*([^*]+?)\*\*", line)
            label = m.group(1) if m else ""
            code = state_of(label) if m else None
            multi = bool(m) and "," in re.sub(r"\([^)]*\)", "", label)
            bullet_override, bullet_state = (True, code) if (code or multi) else (False, None)
        elif not line.strip() or line.startswith("---"):
            bullet_override = False
        state = bullet_state if bullet_override else section_state

        for raw in URL_RE.findall(line):
            url = clean_url(raw)
            if state is None:
                unattributed.append(url)
            elif url not in per_state.setdefault(state, []):
                per_state[state].append(url)
        m = TITLED_URL_LINE_RE.match(line)
        if m and state is not None:
            titles[clean_url(m.group("url"))] = m.group("title").strip()
    return per_state, titles, unattributed


def csv_sources(code: str, cell: str) -> list[tuple[str, str]]:
    """(address, note) pairs from the CSV sources column; the note is a trailing "(...)" annotation, if any."""
    out: list[tuple[str, str]] = []
    for entry in (e.strip() for e in cell.split(";")):
        if not entry:
            continue
        if entry in SOURCE_REFERENCES:
            out.extend((url, "") for url in SOURCE_REFERENCES[entry])
            continue
        m = CSV_SOURCE_RE.match(entry)
        if not m:
            raise SystemExit(f"{code}: source entry is not an address; add it to SOURCE_REFERENCES: {entry!r}")
        out.append((m.group("url"), m.group("note") or ""))
    return out


def earliest_year(cell: str) -> int | None:
    years = [int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", cell)]
    return min(years) if years else None


# ---------------------------------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------------------------------
def build_venue_types(md_slugs: list[str], csv_slugs: set[str]) -> list[dict[str, str]]:
    wanted = set(md_slugs) | csv_slugs
    missing = sorted(wanted - VENUE_TYPES.keys())
    extra = sorted(VENUE_TYPES.keys() - wanted)
    assert not missing, f"venue slugs without a curated name: {missing}"
    assert not extra, f"curated venue types the research does not use: {extra}"
    assert SPANISH_NAMES.keys() == VENUE_TYPES.keys(), "every venue type needs a Spanish name"
    return [
        {"slug": s, "name": VENUE_TYPES[s][0], "name_es": SPANISH_NAMES[s], "description": VENUE_TYPES[s][1]}
        for s in sorted(wanted)
    ]


def covered_venues(code: str, cell: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for entry in split_top_level(cell):
        m = re.match(r"^(?P<name>[^()]+?)\s*(?:\((?P<note>.*)\))?$", entry)
        assert m, f"{code}: unparseable venue entry {entry!r}"
        name, note = m.group("name").strip(), (m.group("note") or "").strip()
        slug = VENUE_ALIASES.get((code, name), name)
        if slug is None:
            continue
        condition = VENUE_CONDITIONS.get(code, {}).get(slug, note)
        if slug not in (v["slug"] for v in out):
            out.append({"slug": slug, "condition": condition})
    unknown = set(VENUE_CONDITIONS.get(code, {})) - {v["slug"] for v in out}
    assert not unknown, f"{code}: curated conditions for venue types the row does not cover: {sorted(unknown)}"
    return out


def build_laws(rows: list[dict[str, str]], md: str) -> tuple[list[dict], dict[str, list[str]]]:
    states = {r["state"]: r["state_abbr"] for r in rows}
    md_urls, md_titles, unattributed = parse_sources_md(md, states)
    stray = sorted(set(unattributed) - NON_STATE_MD_URLS)
    assert not stray, f"addresses in posting_laws_sources.md outside any state section: {stray}"
    overlap = sorted(set(md_titles) & set(SOURCE_TITLES))
    assert not overlap, f"SOURCE_TITLES repeats titles the parser already reads: {overlap}"
    known = {u for r in rows for u, _ in csv_sources(r["state_abbr"], r["sources"])} | set(unattributed)
    known |= {u for urls in md_urls.values() for u in urls}
    unused = sorted(set(SOURCE_TITLES) - known)
    assert not unused, f"SOURCE_TITLES entries for addresses the research does not list: {unused}"

    md_only: dict[str, list[str]] = {}
    laws = []
    for r in rows:
        code = r["state_abbr"]
        flag = r["has_posting_law"]
        if flag == "yes":
            status = "mandatory"
        elif flag == "unknown":
            status = "unknown"
        elif flag == "no":
            assert code in NO_ROW_STATUS, f"{code}: 'no' row needs a NO_ROW_STATUS entry"
            status = NO_ROW_STATUS[code]
        else:
            raise SystemExit(f"{code}: unexpected has_posting_law {flag!r}")

        sources: list[dict[str, str]] = []
        seen: set[str] = set()
        csv_pairs = csv_sources(code, r["sources"])
        for url, note in [*csv_pairs, *((u, "") for u in md_urls.get(code, []))]:
            if url in seen:
                continue
            seen.add(url)
            sources.append({"url": url, "title": md_titles.get(url) or SOURCE_TITLES.get(url) or note})
        csv_set = {u for u, _ in csv_pairs}
        md_only[code] = [u for u in md_urls.get(code, []) if u not in csv_set]

        year = ENACTED_YEAR_OVERRIDES[code] if code in ENACTED_YEAR_OVERRIDES else earliest_year(r["year_enacted"])
        languages = LANGUAGE_OVERRIDES.get(code, split_top_level(r["required_languages"]))
        hotline = HOTLINE_OVERRIDES[code] if code in HOTLINE_OVERRIDES else parse_tristate(r["nhth_number_required"])

        laws.append(
            {
                "key": code,
                "jurisdiction": code,
                "status": status,
                "scope": r["mandate_scope"],
                "title": TITLES.get(code, ""),
                "citation": r["statute_citations"],
                "session_laws": r["bills_session_laws"],
                "enacted_year": year,
                "effective_from": EFFECTIVE_FROM.get(code),
                "effective_to": None,
                "covered_venue_types": covered_venues(code, r["venue_types"]),
                "required_languages": languages,
                "national_hotline_required": hotline,
                "text_line_required": parse_tristate(r["text_line_233733_required"]),
                "required_content": r["required_content"],
                "size_and_font": r["sign_size_font"],
                "placement": r["placement_requirements"],
                "penalty": r["penalty"],
                "enforcing_agency": r["enforcing_agency"],
                "confidence": r["confidence"],
                # The research says each source was "read from an archived copy" but never when: no date to give.
                "last_verified": None,
                "notes": r["notes"],
                "sources": sources,
            }
        )
    for table, name in ((TITLES, "TITLES"), (EFFECTIVE_FROM, "EFFECTIVE_FROM"), (VENUE_CONDITIONS, "VENUE_CONDITIONS")):
        stale = sorted(set(table) - set(states.values()))
        assert not stale, f"{name} has entries for jurisdictions without a row: {stale}"
    return sorted(laws, key=lambda law: law["jurisdiction"]), md_only


def build_ag_offices(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    offices = []
    for r in rows:
        code = r["state_abbr"]
        notes = r["notes"]
        zip_code = r["zip"]
        if code in AG_ZIP_OVERRIDES:
            zip_code = AG_ZIP_OVERRIDES[code]
            notes = f"{notes} ZIP as researched: {r['zip']}.".strip()
        offices.append(
            {
                "jurisdiction": code,
                "office_name": r["office_name"],
                "address_line1": r["address_line1"],
                "address_line2": r["address_line2"],
                "city": r["city"],
                "state_code": r["state_code"],
                "zip_code": zip_code,
                "address_kind": r["address_type"],
                "website": r["official_source_cited"],
                "contact": AG_CONTACTS.get(code, ""),
                "source_note": r["read_via"],
                "as_of": r["as_of"],
                "confidence": r["confidence"],
                "notes": notes,
            }
        )
    return sorted(offices, key=lambda o: o["jurisdiction"])


# ---------------------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------------------
def is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+\.[^\s]+$", value))


def validate(venue_types: list[dict], laws: list[dict], offices: list[dict]) -> None:
    slugs = [v["slug"] for v in venue_types]
    assert slugs == sorted(set(slugs)), "venue slugs must be unique and sorted"
    for v in venue_types:
        assert re.fullmatch(r"[a-z0-9_]{1,48}", v["slug"]), v
        assert v["name"] and len(v["name"]) <= 80 and v["description"].endswith("."), v

    codes = [law["jurisdiction"] for law in laws]
    assert codes == sorted(set(codes)) and len(codes) == 51, f"expected 51 sorted unique jurisdictions: {codes}"
    assert not set(codes) & set(TERRITORIES), "territories have no research rows"
    assert len({law["key"] for law in laws}) == len(laws)
    this_year = datetime.date.today().year
    for law in laws:
        code = law["jurisdiction"]
        assert law["status"] in STATUSES, code
        assert law["confidence"] in CONFIDENCES, code
        for field, limit in LAW_FIELD_LIMITS.items():
            assert len(law[field]) <= limit, f"{code}: {field} longer than {limit}"
        year = law["enacted_year"]
        assert year is None or 1990 <= year <= this_year + 1, f"{code}: implausible year {year}"
        if law["effective_from"]:
            eff = datetime.date.fromisoformat(law["effective_from"])
            assert year is None or year <= eff.year <= year + 2, f"{code}: effective date far from enactment"
        assert law["effective_to"] is None
        for flag in ("national_hotline_required", "text_line_required"):
            assert law[flag] in (True, False, None), code
        assert all(isinstance(x, str) and x for x in law["required_languages"]), code
        cov = [c["slug"] for c in law["covered_venue_types"]]
        assert len(cov) == len(set(cov)), f"{code}: duplicate venue types"
        for c in law["covered_venue_types"]:
            assert c["slug"] in slugs, f"{code}: venue slug {c['slug']!r} not in venue_types.json"
            assert len(c["condition"]) <= 300, f"{code}: condition too long"
        urls = [s["url"] for s in law["sources"]]
        assert len(urls) == len(set(urls)), f"{code}: duplicate sources"
        for s in law["sources"]:
            assert is_url(s["url"]) and len(s["url"]) <= 500, f"{code}: bad address {s['url']!r}"
            assert len(s["title"]) <= 300, f"{code}: source title too long"
        if law["status"] == "mandatory":
            assert law["sources"], f"{code}: a mandatory law needs a source"
        if law["status"] == "unknown":
            assert law["effective_from"] is None, f"{code}: unknown status but an effective date"

    by_code = {law["jurisdiction"]: law for law in laws}
    assert by_code["CA"]["citation"] == "Cal. Civ. Code \u00a7 52.6", by_code["CA"]["citation"]
    assert by_code["TX"]["status"] == "mandatory" and "402.0351" in by_code["TX"]["citation"]

    assert [o["jurisdiction"] for o in offices] == codes, "AG offices must match the law jurisdictions"
    for o in offices:
        code = o["jurisdiction"]
        assert o["state_code"] == code, f"{code}: state_code {o['state_code']!r}"
        assert o["confidence"] in CONFIDENCES, code
        assert o["office_name"] and o["address_line1"] and o["city"], code
        assert re.fullmatch(r"\d{5}(-\d{4})?", o["zip_code"]), f"{code}: ZIP {o['zip_code']!r}"
        assert not o["website"] or is_url(o["website"]), f"{code}: bad website {o['website']!r}"
        for field, limit in AG_FIELD_LIMITS.items():
            assert len(o[field]) <= limit, f"{code}: {field} longer than {limit}"


# ---------------------------------------------------------------------------------------------------------------------
def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n")


def main() -> int:
    law_rows = read_csv(LAWS_CSV)
    ag_rows = read_csv(AG_CSV)
    md = SOURCES_MD.read_text(encoding="utf-8")

    laws, md_only = build_laws(law_rows, md)
    csv_slugs = {c["slug"] for law in laws for c in law["covered_venue_types"]}
    venue_types = build_venue_types(parse_venue_slugs_line(md), csv_slugs)
    offices = build_ag_offices(ag_rows)
    validate(venue_types, laws, offices)

    dump(DATA_DIR / "venue_types.json", venue_types)
    # posting_laws.json has been structured (citations as lists, research notes apart) and corrected by hand since
    # 2026-12-06 (docs/laws.md); the research-shaped rows go beside it for comparison, never over it.
    dump(DATA_DIR / "research" / "posting_laws_as_built.json", laws)
    dump(DATA_DIR / "ag_offices.json", offices)

    counts: dict[str, int] = {}
    for law in laws:
        counts[law["status"]] = counts.get(law["status"], 0) + 1
    added = sum(len(v) for v in md_only.values())
    print(
        f"{len(venue_types)} venue types, {len(laws)} posting laws {dict(sorted(counts.items()))}, "
        f"{len(offices)} AG offices; {added} source addresses added from posting_laws_sources.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
