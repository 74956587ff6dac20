"""JSON Schemas of the YAML file kinds, generated from the pydantic models, for editors
(`# yaml-language-server: $schema=...`) and other tooling."""

from __future__ import annotations

import json

from pydantic import BaseModel

from .case_model import Case
from .rule_model import PackManifest, RuleFile

SCHEMAS: dict[str, type[BaseModel]] = {"rules": RuleFile, "cases": Case, "pack": PackManifest}
TITLES = {"rules": "screener rule file", "cases": "screener precedent case",
          "pack": "screener rule pack manifest"}


def schema_json(kind: str) -> str:
    schema = SCHEMAS[kind].model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": TITLES[kind], **{k: v for k, v in schema.items() if k != "title"}}
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
