"""Load and validate a rule pack directory: manifest, tables, rules and precedent cases.

Every problem is collected and reported together, each naming its file and rule id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .case_model import Case
from .errors import RulePackError
from .rule_model import PackManifest, Rule
from .tables import Tables, load_tables
from .transaction import CANONICAL_COLUMNS
from .yamlio import read_yaml

MANIFEST = "pack.yaml"


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    sha256: str
    directory: Path
    manifest: PackManifest
    rules: tuple[Rule, ...]
    cases: dict[str, Case]
    tables: Tables
    rule_files: dict[str, Path]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def default_pack_dir() -> Path:
    """The shipped pack: inside the installed wheel, or the repository's rules/ when running
    from a checkout (editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_pack" / "rules", here.parent / "rules"):
        if (candidate / MANIFEST).is_file():
            return candidate
    raise RulePackError([f"the default rule pack is missing (looked in {here / '_pack'} and "
                         f"{here.parent / 'rules'}); reinstall screener"])


def load_rules(path: str | Path | None = None) -> RulePack:
    """Load the rule pack in `path` (default: the shipped pack). Raises RulePackError."""
    directory = Path(path) if path is not None else default_pack_dir()
    if not directory.is_dir():
        raise RulePackError([f"{directory}: rule pack directory not found"])
    return _PackReader(directory.resolve()).read()


def _format_validation(error: ValidationError) -> list[str]:
    out = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        out.append(f"{where}: {message}")
    return out


class _PackReader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.problems: list[str] = []
        self.files: dict[str, bytes] = {}

    def _read(self, path: Path) -> Any:
        try:
            data = read_yaml(path)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.problems.append(f"{path}: {exc}")
            return None
        self.files[self._label(path)] = path.read_bytes()
        return data

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.directory.parent))
        except ValueError:
            return str(path)

    def _validate(self, model: type[BaseModel], data: Any, where: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(f"{where}: {msg}" for msg in _format_validation(exc))
            return None

    def read(self) -> RulePack:
        manifest, base = self._manifest()
        if manifest is None:
            raise RulePackError(self.problems)
        tables = self._tables(manifest, base)
        rules, rule_files = self._rules(manifest)
        cases = self._cases(manifest)
        if tables is not None:
            self._cross_check(manifest, tables, rules, rule_files, cases)
        if self.problems or tables is None:
            raise RulePackError(self.problems)
        digest = hashlib.sha256()
        for label in sorted(self.files):
            digest.update(label.encode() + b"\0" + self.files[label] + b"\0")
        return RulePack(manifest.name, manifest.version, digest.hexdigest(), self.directory,
                        manifest, tuple(rules), cases, tables, rule_files)

    def _manifest(self) -> tuple[PackManifest | None, Path]:
        path = self.directory / MANIFEST
        if path.is_file():
            data = self._read(path)
            return self._validate(PackManifest, data, str(path)), self.directory
        # A pack without a manifest (a rule author's local directory) borrows the shipped
        # pack's directions and tables.
        default_dir = default_pack_dir()
        data = self._read(default_dir / MANIFEST)
        manifest = self._validate(PackManifest, data, str(default_dir / MANIFEST))
        if manifest is None:
            return None, default_dir
        manifest = manifest.model_copy(update={
            "name": self.directory.name, "version": "unversioned", "cases": None,
            "rules": ["**/*.yaml"]})
        return manifest, default_dir

    def _tables(self, manifest: PackManifest, base: Path) -> Tables | None:
        countries, units = base / manifest.countries, base / manifest.units
        for path in (countries, units):
            if self._read(path) is None:
                return None
        try:
            return load_tables(countries, units)
        except (ValueError, ValidationError) as exc:
            self.problems.append(f"{countries} / {units}: {exc}")
            return None

    def _rule_paths(self, manifest: PackManifest) -> list[Path]:
        skip = {(self.directory / p).resolve() for p in (MANIFEST, manifest.countries,
                                                          manifest.units)}
        paths = {p.resolve() for pattern in manifest.rules for p in self.directory.glob(pattern)}
        return sorted(p for p in paths - skip if p.is_file())

    def _rules(self, manifest: PackManifest) -> tuple[list[Rule], dict[str, Path]]:
        rules: list[Rule] = []
        files: dict[str, Path] = {}
        for path in self._rule_paths(manifest):
            data = self._read(path)
            if data is None:
                continue
            if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
                self.problems.append(f"{path}: a rule file holds a mapping with a 'rules:' list")
                continue
            if extra := set(data) - {"rules"}:
                self.problems.append(f"{path}: unknown top-level keys {sorted(extra)}")
            for index, raw in enumerate(data["rules"]):
                rule_id = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index}"
                rule = self._validate(Rule, raw, f"{path}: rule {rule_id!s}")
                if rule is None:
                    continue
                if rule.id in files:
                    self.problems.append(f"{path}: rule {rule.id}: duplicate id (also in "
                                         f"{files[rule.id]})")
                    continue
                rules.append(rule)
                files[rule.id] = path
        return rules, files

    def _cases(self, manifest: PackManifest) -> dict[str, Case]:
        cases: dict[str, Case] = {}
        if manifest.cases is None:
            return cases
        directory = (self.directory / manifest.cases).resolve()
        if not directory.is_dir():
            self.problems.append(f"{self.directory / MANIFEST}: cases directory {directory} "
                                 "not found")
            return cases
        for path in sorted(directory.glob("*.yaml")):
            data = self._read(path)
            case = self._validate(Case, data, f"{path}: case") if data is not None else None
            if case is None:
                continue
            if case.id in cases:
                self.problems.append(f"{path}: case {case.id}: duplicate id")
                continue
            cases[case.id] = case
        return cases

    def _cross_check(self, manifest: PackManifest, tables: Tables, rules: list[Rule],
                     files: dict[str, Path], cases: dict[str, Case]) -> None:
        columns = set(CANONICAL_COLUMNS)
        for name, direction in manifest.directions.items():
            for column in set(direction.fields) - columns:
                self.problems.append(f"{MANIFEST}: direction {name}: {column!r} is not a "
                                     "transaction column")
        rule_ids = {rule.id for rule in rules}
        for rule in rules:
            where = f"{files[rule.id]}: rule {rule.id}"
            if rule.direction not in manifest.directions:
                self.problems.append(f"{where}: direction {rule.direction!r} is not one of "
                                     f"{sorted(manifest.directions)}")
            try:
                tables.countries.resolve(rule.country)
            except ValueError as exc:
                self.problems.append(f"{where}: country: {exc}")
            for case_id in rule.precedents:
                if case_id not in cases:
                    self.problems.append(f"{where}: precedent {case_id!r} is not a known case")
            if rule.superseded_by and rule.superseded_by not in rule_ids:
                self.problems.append(f"{where}: superseded_by {rule.superseded_by!r} is not a "
                                     "rule in this pack")
            conditions = [("when", rule.when)] + [
                (f"exceptions.{e.id}.when", e.when or {}) for e in rule.exceptions]
            for label, when in conditions:
                for column in set(when) - columns:
                    self.problems.append(f"{where}: {label}: {column!r} is not a transaction "
                                         "column")
