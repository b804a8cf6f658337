"""Region codes and types: the constants every layer uses, with nothing to import.

Apart from `regions` (the region tables and lookups) so that `store` and `region_search`,
which `regions` uses, can have them without importing `regions`.
"""

NL_CODE = "NL01"
REGION_TYPES = ("gemeente", "swv_po", "swv_vo", "jeugdregio", "provincie", "nederland")
TYPE_LABELS = {
    "gemeente": "Gemeente",
    "swv_po": "Samenwerkingsverband po",
    "swv_vo": "Samenwerkingsverband vo",
    "jeugdregio": "Jeugdregio",
    "provincie": "Provincie",
    "nederland": "Nederland",
}
TYPE_PREFIX = {
    "GM": "gemeente",
    "PO": "swv_po",
    "VO": "swv_vo",
    "JZ": "jeugdregio",
    "PV": "provincie",
    "NL": "nederland",
}
