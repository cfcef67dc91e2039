"""``imagination derive``: the checked derivations, as Markdown or as a LaTeX fragment."""

from __future__ import annotations

import argparse
from pathlib import Path

from theory._validate import InputError
from theory.commands import command, option


@command("derive")
class DeriveCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        from theory.derivations import DERIVATIONS

        p.add_argument("name", nargs="?", choices=sorted(DERIVATIONS), help="the derivation (see --list)")
        option(p, "list", action="store_true", note="with the count of steps of each kind")
        option(p, "format", choices=("md", "tex"), default="md", note="default md")
        option(p, "standalone", action="store_true")
        option(p, "out", note="default: standard output")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory.derivations import DERIVATIONS, build

        if args.list:
            return {"derivations": [{"name": n, "labels": list(labels), "kinds": build(n, strict=False).summary()["kinds"]}
                                    for n, (_, _, labels) in DERIVATIONS.items()]}
        if args.name is None:
            raise InputError("give a derivation NAME or --list")
        d = build(args.name, strict=False)
        if args.standalone and args.format != "tex":
            raise InputError("--standalone goes with --format tex")
        text = d.render() if args.format == "md" else d.render_tex(standalone=args.standalone)
        out = {"name": args.name, "format": args.format, "labels": list(DERIVATIONS[args.name][2]),
               "kinds": d.summary()["kinds"], "steps": [{"title": st.title, "kind": st.kind, "check": st.check} for st in d.steps],
               "failures": d.summary()["failures"], "exit_code": 1 if d.failures else 0}
        if args.out:
            path = Path(args.out)
            try:
                path.write_text(text)
            except OSError as err:
                raise InputError(f"--out: cannot write {path} ({err.strerror})") from None
            out["file"] = str(path)
        else:
            out["text"] = text
        return out

    @staticmethod
    def render(out: dict) -> str:
        if "derivations" in out:
            return "\n".join(f"{d['name']} {' '.join(d['labels'])} | "
                             + ", ".join(f"{v} {k}" for k, v in d["kinds"].items()) for d in out["derivations"])
        if "file" in out:
            return f"{out['name']} ({out['format']}) written to {out['file']}" + (
                f"; {len(out['failures'])} step(s) FAILED" if out["failures"] else "")
        return out["text"]
