"""School-level linkage of jeugdhulp and leerplicht data with privacy by design.

Modules, each with one job: `pseudonym` (keys and HMAC pseudonyms), `extracts` (read, validate,
pseudonymise), `link` (trajectories to schools per school year), `aggregate` (the seven indicators
as raw counts), `suppress` (primary and complementary suppression), `audit` (independent check that
no hidden cell can be derived), `publish` (rates, shares and atomic export), `pipeline` (all of it
in one call), `synthetic` (deterministic synthetic extracts), `views` (data for the notebook's
charts), `session` (key check, inputs and one cached run for the notebook) and `cli` (the
`jeugdmonitor linkage` subcommands). Its charts are the `school_*` builders in `jeugdmonitor.present.charts`.
"""
