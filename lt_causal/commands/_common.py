"""What several commands share (a module whose name starts with ``_`` is not a command)."""
from __future__ import annotations

FOLDER_HELP = "image tree ROOT/{train,test}/<class>/* for --dataset folder"


def require_folder(dataset: str, folder) -> None:
    """``--dataset folder`` needs ``--folder``: one ValueError saying so."""
    if dataset == "folder" and not folder:
        raise ValueError("--dataset folder needs --folder ROOT (a tree ROOT/train/<class>/*, ROOT/test/<class>/*)")
