"""Checking the dossier: reading its files safely (load, yaml_reader), the JSON Schemas run as
editors run them and their errors as sentences (schema, schema_messages), and the rules a schema
cannot express (validate with checker, text_rules, event_checks, archived, alias_reach).

A layer above the foundation (model, arabic, characters, quotes, geo, cache...) and below the
stages that use the checked dossier; nothing here imports a stage."""
