"""Revision storage benchmark: 1,000 small edits of a 30 KB Markdown document, saved through the save service.

    python bench/storage.py [--smoke] [--edits 1000]

Builds a throwaway SQLite site, saves the edits one by one (documents.services.save_revision), then reports
the bytes revision storage keeps (snapshots and deltas) against the bytes of every full text (what storing
each revision's body whole takes; the layout before delta chains also kept each revision's HTML), and the
time to rebuild a revision from storage with an empty cache: the revisions just before a snapshot (50, 100,
...) are the worst cases, 49 deltas from their snapshot. Every rebuilt text is checked against the text saved.
"""
from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import Figure, at_most, median, percentile, ratio_at_most, timed_ms

WORDS = ("fair votes proportional representation seats parliament council rail fares buses climate carbon "
         "homes rent tenants insulation heat pumps rivers sewage water nature wages tax budget schools health "
         "care pensions devolution assembly citizens public ownership energy wind solar grid").split()
KB = 1024


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def markdown(rng: random.Random, size: int) -> list[str]:
    """Blocks of a policy paper (headings, paragraphs, lists) adding up to about ``size`` bytes."""
    blocks: list[str] = ["# A shared agenda"]
    while sum(len(block) + 2 for block in blocks) < size:
        kind = rng.random()
        if kind < 0.1:
            blocks.append(f"## {paragraph(rng, 4)[:-1]}")
        elif kind < 0.25:
            blocks.append("\n".join(f"- {paragraph(rng, 8)}" for _ in range(4)))
        else:
            blocks.append(paragraph(rng, rng.randint(30, 70)))
    return blocks


def small_edit(rng: random.Random, blocks: list[str]) -> None:
    """A word changed, sometimes a sentence added or a paragraph dropped: what most saves are."""
    index = rng.randrange(1, len(blocks))
    roll = rng.random()
    if roll < 0.7:
        words = blocks[index].split(" ")
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        blocks[index] = " ".join(words)
    elif roll < 0.9:
        blocks[index] += " " + paragraph(rng, rng.randint(5, 15))
    else:
        blocks[index] = paragraph(rng, rng.randint(20, 40))


def wall_and_cpu_ms(function: Callable[[], object]) -> tuple[float, float]:
    """Like common.timed_ms, and the CPU time this thread spent: the wall time on an idle machine."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.thread_time()
    function()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def figures(smoke: bool = False, edits: int = 1000) -> list[Figure]:
    if smoke:
        edits = 60
    from sqlalchemy import event, select

    from policyhub import create_app
    from policyhub.accounts.services import register_user
    from policyhub.documents import services, storage
    from policyhub.documents.models import Revision
    from policyhub.extensions import db
    from policyhub.parties.services import add_member, create_party
    from policyhub.permissions import SYSTEM
    from policyhub.text import delta
    from policyhub.text.delta import SNAPSHOT_EVERY

    rng = random.Random(30)
    with tempfile.TemporaryDirectory(prefix="policyhub-storage-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
                          "INSTANCE_PATH": str(Path(folder) / "instance"), "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            db.create_all()
            author = register_user("author@example.org", "Author", "correct horse battery staple", confirmed=True)
            add_member(SYSTEM, author, create_party(SYSTEM, "bench", "Bench", "#336699"))
            blocks = markdown(rng, 30 * KB)
            texts = ["\n\n".join(blocks) + "\n"]
            document = services.create_document(author, title="A shared agenda", body=texts[0],
                                                policy_area="Benchmarks")
            saves = []
            for _ in range(edits):
                while "\n\n".join(blocks) + "\n" == texts[-1]:  # a word replaced by itself is no edit
                    small_edit(rng, blocks)
                texts.append("\n\n".join(blocks) + "\n")
                saves.append(timed_ms(lambda: services.save_revision(
                    author, document, body=texts[-1], base_number=document.current_number)))
            document_id, slug, count = document.id, document.slug, document.current_number
            assert count == len(texts), "an edit changed nothing"

            stored = db.session.execute(select(Revision.snapshot, Revision.delta)
                                        .where(Revision.document_id == document_id)).all()
            stored_bytes = sum(len((row.snapshot if row.snapshot is not None else row.delta).encode())
                               for row in stored)
            snapshots = sum(1 for row in stored if row.snapshot is not None)
            full_bytes = sum(len(text.encode()) for text in texts)

            worst = [n for n in range(SNAPSHOT_EVERY, count + 1, SNAPSHOT_EVERY)]
            sample = rng.sample(range(1, count + 1), min(100, count))
            def read_whole(number: int) -> str:
                """The baseline: what reading a revision cost when every row held its full text."""
                return db.session.scalar(select(Revision.snapshot).where(
                    Revision.document_id == document_id, Revision.number == delta.chain_start(number)))

            timings: dict[str, tuple[float, float, float]] = {}
            storage.cache().clear()
            for name, numbers, repeats in (("worst", worst, 10), ("any", sample, 3)):
                for number in numbers:  # also warms SQLAlchemy's statement cache: a process does that once
                    assert storage.rebuild(document_id, number) == texts[number - 1], number
                rebuilds, wholes, cpu = [], [], []
                for _ in range(repeats):  # interleaved, so that both see the same load on the machine
                    for number in numbers:
                        wall, spent = wall_and_cpu_ms(lambda n=number: storage.rebuild(document_id, n))
                        rebuilds.append(wall)
                        cpu.append(spent)
                        wholes.append(timed_ms(lambda n=number: read_whole(n)))
                timings[name] = (percentile(rebuilds, 95), percentile(wholes, 95), percentile(cpu, 95))
            assert len(storage.cache()) == 0  # rebuild() reads storage itself, never the cache

            db.session.remove()
            sent: list[str] = []
            event.listen(db.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
            document = services.get_document(slug)
            current = services.get_revision(document, document.current_number)
            loads = len(sent)
            assert current.body == texts[-1] and current.html
            current_text_statements = len(sent) - loads
            db.session.remove()
            db.engine.dispose()

    size = f"{len(texts[0].encode()) / KB:.0f} KB"
    return [
        ratio_at_most(f"revision storage, {edits:,} small edits of a {size} document", stored_bytes / KB / KB,
                      "MB", full_bytes / KB / KB, 0.05, "every full text"),
        Figure(f"revisions kept as snapshots (of {count:,})", snapshots, ""),
        at_most("rebuild a revision 49 deltas from its snapshot, empty cache: p95", timings["worst"][0], "ms", 5,
                baseline=timings["worst"][1], baseline_name="read one full-text row"),
        at_most("rebuild any revision, empty cache: p95", timings["any"][0], "ms", 5,
                baseline=timings["any"][1], baseline_name="read one full-text row"),
        # Other processes on the shared cores only add to the wall times above; CPU time is what they would be
        # on an idle machine.
        Figure("rebuild a revision 49 deltas from its snapshot: p95 CPU time", timings["worst"][2], "ms"),
        Figure("read the current text and HTML: SQL statements after loading the document and revision",
               current_text_statements, "", "= 0", current_text_statements == 0),
        Figure(f"save one small edit of the {size} document (render, diff, store): median", median(saves), "ms"),
    ]


def main() -> None:
    from run import print_table
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--edits", type=int, default=1000)
    args = parser.parse_args()
    print_table(figures(args.smoke, args.edits))


if __name__ == "__main__":
    sys.exit(main())
