"""``python -m lt_causal pretrained``: the shipped runs (results packs) with their provenance;
``--pack RUN --name NAME`` turns a finished run folder into a pack (see :mod:`lt_causal.experiments.packs`).

    python -m lt_causal pretrained
    python -m lt_causal evaluate pretrained:cifar10-lt-r100-deconfound --alpha 0 1
"""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("pretrained", help="list the shipped runs (evaluate them as pretrained:NAME)",
                       description="List the runs shipped with lt_causal, name first on each line, with "
                                   "their provenance. With --pack, write a finished run folder as a pack.")
    p.add_argument("--pack", metavar="RUN", help="a finished run folder to write as a pack")
    p.add_argument("--name", help="name of the new pack (with --pack; default: its cell, e.g. "
                                  "cifar10-lt-r50-deconfound-s1)")
    p.add_argument("--features", choices=("fp16", "uint8"), default="fp16",
                   help="how the pack stores the test features: fp16, or uint8 (8 bits with a scale per "
                        "image, half the size; default fp16)")
    p.add_argument("--no-backbone", dest="backbone", action="store_false",
                   help="leave the network out (the α explorer and the tables need only features, head "
                        "and direction; classify needs the network)")
    p.add_argument("--dest", help="folder for the new pack (default: the package's pretrained folder)")
    p.add_argument("--data", help="provenance: what data the run trained on, in words")
    p.add_argument("--command", dest="train_command", help="provenance: the command that trained the run")
    p.add_argument("--machine", help="provenance: the machine it trained on, in words")
    p.set_defaults(func=run)


def describe(row) -> str:
    """One line per pack: name first, then what it is and where it came from."""
    hours = f"{row['train hours']:.2f} h of training" if row["train hours"] else "training time unknown"
    at = f"{row['overall at α']:.2f} %" if row["overall at α"] is not None else "-"
    return (f"{row['name']}  {row['label']}: {row['method']} on {row['data']}, {row['epochs']} epochs; "
            f"overall {row['overall α=0']:.2f} % at α=0, {at} at α={row['alpha']:g}; "
            f"{hours} on {row['machine']}; command: {row['command'] or '-'}")


def run(args) -> int:
    from lt_causal.evaluation.packs import list_pretrained
    from lt_causal.experiments.packs import make_pack

    if args.pack:
        prov = {k: v for k, v in {"data": args.data, "command": args.train_command,
                                  "machine": args.machine}.items() if v}
        path = make_pack(args.pack, args.name, prov, args.dest, features=args.features, backbone=args.backbone)
        print(f"pack written to {path}")
        return 0
    table = list_pretrained()
    if table.empty:
        print("no shipped runs in this installation")
    for _, row in table.iterrows():
        print(describe(row))
    return 0
