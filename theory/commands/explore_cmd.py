"""``imagination explore``: write the interactive explorer, one self-contained HTML page."""

from __future__ import annotations

import argparse

from theory._validate import InputError
from theory.commands import command, option


@command("explore")
class ExploreCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "out", default="explorer.html", note="default explorer.html")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from pathlib import Path

        from theory.explorer import write_explorer

        path = Path(args.out)
        if path.is_dir():
            raise InputError(f"--out must be a file, but {str(path)!r} is a folder")
        try:
            info = write_explorer(path)
        except OSError as err:
            raise InputError(f"--out: cannot write {str(path)!r} ({err.strerror or err})") from None
        info["url"] = path.resolve().as_uri()
        return info

    @staticmethod
    def render(out: dict) -> str:
        return (f"explorer written to {out['path']} ({out['bytes']:,} bytes, self-contained); open it in a browser:\n"
                f"  {out['url']}\nsettings travel in the address, e.g. {out['url']}?gamma=0.99&horizon=inf&lip_dyn=0.9")
