"""Load and validate rule packs: manifest, tables, rules, precedent cases, and overlays.

Every problem is collected (not just the first) and located at the file, line and column of
the offending key or value, so that `screener rules validate` can list them all and
`load_rules` can refuse a pack with one message that names each.

`load_rules(base, *overlays)`: later directories add rules, replace a rule of the same id
(`override: true`) or switch rules off (`disable: [ids]`), as Falco allows, so an
institution keeps local policy beside the shipped pack without editing it.
"""

from __future__ import annotations

import difflib
import hashlib
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .case_model import Case
from .errors import RulePackError
from .problems import Level, Problem
from .rule_model import PackManifest, Rule
from .tables import Tables, load_tables
from .transaction import CANONICAL_COLUMNS
from .yamlio import YamlDocument, YamlProblem, read_yaml_document

MANIFEST = "pack.yaml"
RULE_FILE_KEYS = ("rules", "disable")
Loc = Sequence[str | int]


@dataclass(frozen=True)
class RuleSource:
    path: Path
    index: int  # position in the file's `rules:` list
    document: YamlDocument

    def locate(self, *path: str | int, key: bool = False) -> tuple[str, int, int]:
        line, column = self.document.locate(("rules", self.index, *path), key=key)
        return str(self.path), line, column


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
    sources: dict[str, RuleSource]
    disabled: tuple[str, ...] = ()

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
    raise RulePackError([Problem(str(here), 0, 0, "error", "missing-pack",
                                 "the default rule pack is missing; reinstall screener")])


def load_rules(*paths: str | Path | None) -> RulePack:
    """Load a rule pack (default: the shipped one), then any overlay directories in order.
    Raises RulePackError listing every error found."""
    pack, problems = check_rules(*paths)
    errors = [p for p in problems if p.level == "error"]
    if errors or pack is None:
        raise RulePackError(errors)
    return pack


def check_rules(*paths: str | Path | None) -> tuple[RulePack | None, list[Problem]]:
    """Like load_rules, but returns (pack or None, problems) instead of raising."""
    given = [Path(p) for p in paths if p is not None]
    directories = given or [default_pack_dir()]
    for directory in directories:
        if not directory.is_dir():
            return None, [Problem(str(directory), 0, 0, "error", "not-found",
                                  "rule pack directory not found")]
    reader = _PackReader([d.resolve() for d in directories])
    pack = reader.read()
    return pack, sorted(reader.problems, key=lambda p: (p.file, p.line, p.column))


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a YAML mapping may hold at `loc` inside `model` (for "did you mean")."""
    current: type[BaseModel] | None = model
    for step in loc:
        if current is None or isinstance(step, int):
            continue
        field = current.model_fields.get(str(step)) or next(
            (f for f in current.model_fields.values() if f.alias == step), None)
        if field is not None:
            current = _first_model(field.annotation)
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


class _PackReader:
    def __init__(self, directories: list[Path]):
        self.base = directories[0]
        self.overlays = directories[1:]
        self.problems: list[Problem] = []
        self.files: dict[str, bytes] = {}

    # -- reporting ---------------------------------------------------------------------------
    def report(self, path: Path | str, message: str, code: str, *, line: int = 0,
               column: int = 0, level: Level = "error", rule_id: str | None = None) -> None:
        self.problems.append(Problem(str(path), line, column, level, code, message, rule_id))

    def report_at(self, path: Path, doc: YamlDocument, loc: Loc, message: str, code: str, *,
                  key: bool = False, rule_id: str | None = None) -> None:
        line, column = doc.locate(loc, key=key)
        self.report(path, message, code, line=line, column=column, rule_id=rule_id)

    def _read(self, path: Path) -> YamlDocument | None:
        try:
            doc = read_yaml_document(path)
        except YamlProblem as exc:
            code = "duplicate-key" if "duplicate key" in str(exc) else "yaml"
            self.report(path, str(exc), code, line=exc.line, column=exc.column)
            return None
        except OSError as exc:
            self.report(path, f"cannot read: {exc.strerror}", "io")
            return None
        self.files[self._label(path)] = path.read_bytes()
        return doc

    def _label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base.parent))
        except ValueError:
            return str(path)

    def _validate(self, model: type[BaseModel], data: Any, path: Path, doc: YamlDocument,
                  prefix: Loc = (), what: str = "", rule_id: str | None = None) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for item in exc.errors():
                self._report_validation(model, item, path, doc, prefix, what, rule_id)
            return None

    def _report_validation(self, model: type[BaseModel], item: Any, path: Path,
                           doc: YamlDocument, prefix: Loc, what: str,
                           rule_id: str | None) -> None:
        loc = list(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        key = False
        if item["type"] == "extra_forbidden":
            key = True
            bad = str(loc[-1])
            close = difflib.get_close_matches(bad, _keys_at(model, loc[:-1]), n=1)
            message = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
            code = "unknown-key"
        elif item["type"] == "missing":
            code = "missing-key"
        else:
            code = "invalid-value"
        if not loc:  # a model-level check: point at the field its message names
            first = message.split(" ", 1)[0]
            if first in model.model_fields:
                loc, key = [first], True
        where = ".".join(str(p) for p in loc) or "(top level)"
        self.report_at(path, doc, [*prefix, *loc], f"{what}{where}: {message}", code, key=key,
                       rule_id=rule_id)

    # -- the pack ------------------------------------------------------------------------------
    def read(self) -> RulePack | None:
        manifest, base = self._manifest()
        if manifest is None:
            return None
        tables = self._tables(manifest, base)
        rules, sources, disabled = self._all_rules(manifest)
        cases = self._cases(manifest)
        if tables is not None:
            self._cross_check(manifest, tables, rules, sources, cases, disabled)
        if tables is None or any(p.level == "error" for p in self.problems):
            return None
        digest = hashlib.sha256()
        for label in sorted(self.files):
            digest.update(label.encode() + b"\0" + self.files[label] + b"\0")
        name = manifest.name + "".join(f"+{o.name}" for o in self.overlays)
        return RulePack(name, manifest.version, digest.hexdigest(), self.base, manifest,
                        tuple(rules), cases, tables, sources, tuple(disabled))

    def _manifest(self) -> tuple[PackManifest | None, Path]:
        path = self.base / MANIFEST
        if path.is_file():
            doc = self._read(path)
            if doc is None:
                return None, self.base
            return self._validate(PackManifest, doc.data, path, doc), self.base
        # A pack without a manifest (a rule author's local directory) borrows the shipped
        # pack's directions and tables.
        default_dir = default_pack_dir()
        doc = self._read(default_dir / MANIFEST)
        if doc is None:
            return None, default_dir
        manifest = self._validate(PackManifest, doc.data, default_dir / MANIFEST, doc)
        if manifest is None:
            return None, default_dir
        manifest = manifest.model_copy(update={
            "name": self.base.name, "version": "unversioned", "cases": None,
            "rules": ["**/*.yaml"]})
        return manifest, default_dir

    def _tables(self, manifest: PackManifest, base: Path) -> Tables | None:
        countries, units = base / manifest.countries, base / manifest.units
        conversions = base / manifest.conversions
        for path in (countries, units):
            if self._read(path) is None:
                return None
        if conversions.is_file() and self._read(conversions) is None:
            return None
        try:
            return load_tables(countries, units, conversions)
        except (ValueError, ValidationError) as exc:
            self.report(countries, f"tables: {exc}", "tables")
            return None

    def _rule_paths(self, directory: Path, patterns: list[str],
                    skip: set[Path]) -> list[Path]:
        paths = {p.resolve() for pattern in patterns for p in directory.glob(pattern)}
        return sorted(p for p in paths - skip if p.is_file() and p.suffix in (".yaml", ".yml"))

    def _all_rules(self, manifest: PackManifest) -> tuple[list[Rule], dict[str, RuleSource],
                                                           list[str]]:
        rules: dict[str, Rule] = {}
        sources: dict[str, RuleSource] = {}
        disables: list[tuple[str, Path, YamlDocument, int]] = []
        skip = {(self.base / p).resolve() for p in (MANIFEST, manifest.countries,
                                                    manifest.units, manifest.conversions)}
        layers = [(self.base, manifest.rules, False)]
        layers += [(overlay, ["**/*.yaml", "**/*.yml"], True) for overlay in self.overlays]
        for directory, patterns, is_overlay in layers:
            cases_dir = (directory / "cases").resolve()
            for path in self._rule_paths(directory, patterns, skip):
                if is_overlay and cases_dir in path.parents:
                    continue
                self._rule_file(path, rules, sources, disables, is_overlay)
        for rule_id, path, doc, index in disables:
            if rule_id not in rules:
                self.report_at(path, doc, ["disable", index], f"disable: no rule {rule_id!r} "
                               "to disable", "unknown-rule")
                continue
            del rules[rule_id]
            del sources[rule_id]
        return list(rules.values()), sources, [d[0] for d in disables]

    def _rule_file(self, path: Path, rules: dict[str, Rule], sources: dict[str, RuleSource],
                   disables: list, is_overlay: bool) -> None:
        doc = self._read(path)
        if doc is None:
            return
        data = doc.data
        if not isinstance(data, dict) or not any(k in data for k in RULE_FILE_KEYS):
            self.report(path, "a rule file holds a mapping with a 'rules:' list (and, in an "
                        "overlay, 'disable:')", "not-a-rule-file", line=1, column=1)
            return
        for key in data:
            if key not in RULE_FILE_KEYS:
                close = difflib.get_close_matches(str(key), RULE_FILE_KEYS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.report_at(path, doc, [key], f"unknown top-level key {key!r}{hint}",
                               "unknown-key", key=True)
        for index, rule_id in enumerate(data.get("disable") or []):
            disables.append((str(rule_id), path, doc, index))
        raw_rules = data.get("rules") or []
        if not isinstance(raw_rules, list):
            self.report_at(path, doc, ["rules"], "'rules' must be a list", "invalid-value")
            return
        for index, raw in enumerate(raw_rules):
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            label = str(raw_id) if raw_id is not None else f"#{index + 1}"
            rule = self._validate(Rule, raw, path, doc, ["rules", index], f"rule {label}: ",
                                  rule_id=label)
            if rule is None:
                continue
            for field, message in rule.semantic_problems():
                self.report_at(path, doc, ["rules", index, field], f"rule {rule.id}: {field}: "
                               f"{message}", "inconsistent", key=True, rule_id=rule.id)
            source = RuleSource(path, index, doc)
            earlier = sources.get(rule.id)
            if earlier is not None and not (is_overlay and rule.override):
                hint = "; set override: true in an overlay to replace it" if is_overlay else ""
                self.report_at(path, doc, ["rules", index, "id"],
                               f"rule {rule.id}: duplicate id (also in {earlier.path}:"
                               f"{earlier.locate('id')[1]}){hint}", "duplicate-id",
                               rule_id=rule.id)
                continue
            if earlier is None and rule.override:
                self.report_at(path, doc, ["rules", index, "override"],
                               f"rule {rule.id}: override: true but no earlier rule has this "
                               "id", "unknown-rule", key=True, rule_id=rule.id)
                continue
            rules[rule.id] = rule
            sources[rule.id] = source

    def _case_dirs(self, manifest: PackManifest) -> list[Path]:
        dirs = []
        if manifest.cases is not None:
            directory = (self.base / manifest.cases).resolve()
            if directory.is_dir():
                dirs.append(directory)
            else:
                self.report(self.base / MANIFEST, f"cases directory {directory} not found",
                            "not-found")
        dirs += [o / "cases" for o in self.overlays if (o / "cases").is_dir()]
        return dirs

    def _cases(self, manifest: PackManifest) -> dict[str, Case]:
        cases: dict[str, Case] = {}
        for directory in self._case_dirs(manifest):
            for path in sorted(directory.glob("*.yaml")):
                doc = self._read(path)
                if doc is None:
                    continue
                case = self._validate(Case, doc.data, path, doc, (), "case: ")
                if case is None:
                    continue
                if case.id in cases:
                    self.report_at(path, doc, ["id"], f"case {case.id}: duplicate id",
                                   "duplicate-id")
                    continue
                cases[case.id] = case
        return cases

    def _cross_check(self, manifest: PackManifest, tables: Tables, rules: list[Rule],
                     sources: dict[str, RuleSource], cases: dict[str, Case],
                     disabled: list[str]) -> None:
        columns = set(CANONICAL_COLUMNS)
        for name, direction in manifest.directions.items():
            for column in sorted(set(direction.fields) - columns):
                self.report(self.base / MANIFEST, f"direction {name}: {column!r} is not a "
                            "transaction column", "unknown-column")
        # a disabled rule still exists for references (a shipped rule superseded by it)
        rule_ids = {rule.id for rule in rules} | set(disabled)
        for rule in rules:
            source = sources[rule.id]

            def at(*loc: str | int, key: bool = False, source: RuleSource = source) -> dict:
                _, line, column = source.locate(*loc, key=key)
                return {"line": line, "column": column}

            prefix = f"rule {rule.id}: "
            if rule.direction not in manifest.directions:
                self.report(source.path, f"{prefix}direction {rule.direction!r} is not one of "
                            f"{sorted(manifest.directions)}", "unknown-direction",
                            rule_id=rule.id, **at("direction"))
            try:
                tables.countries.resolve(rule.country)
            except ValueError as exc:
                self.report(source.path, f"{prefix}country: {exc}", "invalid-value",
                            rule_id=rule.id, **at("country"))
            for index, case_id in enumerate(rule.precedents):
                if case_id not in cases:
                    self.report(source.path, f"{prefix}precedent {case_id!r} is not a known "
                                "case", "unknown-case", rule_id=rule.id,
                                **at("precedents", index))
            if rule.superseded_by and rule.superseded_by not in rule_ids:
                self.report(source.path, f"{prefix}superseded_by {rule.superseded_by!r} is not "
                            "a rule in this pack", "unknown-rule", rule_id=rule.id,
                            **at("superseded_by"))
            conditions: list[tuple[tuple[str | int, ...], dict]] = [(("when",), rule.when)]
            conditions += [(("exceptions", i, "when"), e.when or {})
                           for i, e in enumerate(rule.exceptions)]
            for loc, when in conditions:
                for column in sorted(set(when) - columns):
                    close = difflib.get_close_matches(column, CANONICAL_COLUMNS, n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    self.report(source.path, f"{prefix}{'.'.join(map(str, loc))}: {column!r} "
                                f"is not a transaction column{hint}", "unknown-column",
                                rule_id=rule.id, **at(*loc, column, key=True))
