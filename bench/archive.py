"""A generated news archive for benchmarks: deterministic, and shaped like the real thing.

Stories continue over weeks (a storyline keeps its people, organisations and places), people
recur under several spellings (Khadzhiev, Hajiyev, Khajiev), paragraphs open with datelines,
dates are written relatively ("on Monday", "last week") and absolutely, wire copy is
sometimes refiled, and the wording draws on a large vocabulary with a Zipf distribution, so
the search index has as many distinct terms as real news has.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

SYLLABLES = [
    "ka", "ra", "go", "lu", "dar", "khan", "mir", "sol", "tan", "vor", "zel", "qa", "rim", "shah",
    "ber", "dov", "nur", "sar", "tor", "yev", "zar", "ba", "kol", "mat", "nev", "os", "pol", "ash",
]  # fmt: skip
FIRST_NAMES = [
    "Rustam", "Yelena", "Kamol", "Leyla", "Sardor", "Dmitri", "Bahrom", "Oydin", "Farrukh",
    "Shahlo", "Anvar", "Nodira", "Timur", "Gulnora", "Aziz", "Marina", "Jamshid", "Zarina",
    "Pavel", "Dilnoza", "Ilhom", "Svetlana", "Rashid", "Malika", "Sergei", "Feruza",
]  # fmt: skip
SURNAME_ENDINGS = ["ov", "ev", "yan", "zoda", "iy", "ova", "ski", "i"]
# Transliteration variants editors meet: each surname gets some of these.
SPELLING_RULES = [("kh", "h"), ("dzh", "j"), ("yev", "ev"), ("q", "k"), ("ov", "ev"), ("y", "i")]
ROLES = [
    "foreign minister", "finance minister", "spokesman", "chief executive", "mayor",
    "governor", "chairman", "director", "ambassador", "prosecutor", "central bank governor",
]  # fmt: skip
ORG_KINDS = [
    "Water Authority", "Grain Board", "Energy Company", "Election Commission", "Rail Company",
    "Chamber of Commerce", "Statistics Bureau", "Football Club", "University", "Party",
]  # fmt: skip
BEATS = ["Politics", "Economy", "Energy", "Environment", "Sport", "Culture", "Science", "Courts"]
NOUNS = [
    "pipeline", "budget", "election", "drought", "tariff", "harvest", "strike", "reform",
    "contract", "border", "treaty", "inflation", "court", "festival", "bridge", "railway",
    "vaccine", "satellite", "dam", "mine", "port", "loan", "bond", "wage", "protest", "ballot",
]  # fmt: skip
VERBS = [
    ("approve", "approved"), ("reject", "rejected"), ("delay", "delayed"), ("open", "opened"),
    ("suspend", "suspended"), ("expand", "expanded"), ("review", "reviewed"),
    ("finance", "financed"), ("block", "blocked"), ("announce", "announced"),
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RELATIVE = ["yesterday", "last week", "earlier this month", "two days ago", "on {weekday}",
            "last month", "next month", "this year"]  # fmt: skip
AGENCIES = ["ZPA", "SevInform", "Reuters", "AFP"]


def _filler_words(count: int, rng: random.Random) -> list[str]:
    """Made-up lower-case words from syllables: the long tail of a real vocabulary."""
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass
class Person:
    first: str
    spellings: list[str]  # of the surname; the first is the usual one
    role: str

    def named(self, rng: random.Random) -> str:
        surname = self.spellings[0] if rng.random() < 0.7 else rng.choice(self.spellings)
        return f"{self.first} {surname}"

    def surname(self, rng: random.Random) -> str:
        return self.spellings[0] if rng.random() < 0.8 else rng.choice(self.spellings)


@dataclass
class Storyline:
    beat: str
    people: list[Person]
    organisations: list[tuple[str, str]]  # (name, acronym)
    places: list[str]
    nouns: list[str]
    start: date


@dataclass
class GeneratedArticle:
    path: str
    title: str
    published: date
    beat: str
    paragraphs: list[str]
    names: list[str] = field(default_factory=list)  # every spelling of the story's cast

    def markdown(self) -> str:
        # A slug of its own: headlines repeat, and plain Pelican stops on a repeated URL.
        slug = Path(self.path).stem
        header = (
            f"Title: {self.title}\nDate: {self.published.isoformat()}\nCategory: {self.beat}\n"
            f"Slug: {slug}\n"
        )
        return header + "\n" + "\n\n".join(self.paragraphs) + "\n"


class ArchiveGenerator:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.filler = _filler_words(40_000, rng)
        rng.shuffle(self.filler)  # which words are common should not follow the alphabet
        # Zipf weights: a few words very common, most rare, as in any corpus.
        self.filler_cumulative = list(
            accumulate(1 / (rank + 1) for rank in range(len(self.filler)))
        )
        self.places = sorted({self._name(2, 3) for _ in range(300)})
        self.people = [self._person() for _ in range(1_500)]
        self.organisations = [self._organisation() for _ in range(400)]

    def _name(self, low: int, high: int) -> str:
        return "".join(
            self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(low, high))
        ).title()

    def _person(self) -> Person:
        rng = self.rng
        surname = self._name(2, 3) + rng.choice(SURNAME_ENDINGS)
        spellings = [surname]
        for old, new in rng.sample(SPELLING_RULES, 3):
            variant = surname.replace(old, new).replace(old.title(), new.title())
            if variant not in spellings:
                spellings.append(variant)
        return Person(rng.choice(FIRST_NAMES), spellings, rng.choice(ROLES))

    def _organisation(self) -> tuple[str, str]:
        name = f"{self.rng.choice(self.places)} {self.rng.choice(ORG_KINDS)}"
        return name, "".join(word[0] for word in name.split() if word[0].isupper())

    def _storyline(self, start: date) -> Storyline:
        rng = self.rng
        return Storyline(
            beat=rng.choice(BEATS),
            people=rng.sample(self.people, rng.randint(2, 4)),
            organisations=rng.sample(self.organisations, rng.randint(1, 2)),
            places=rng.sample(self.places, rng.randint(1, 3)),
            nouns=rng.sample(NOUNS, 3),
            start=start,
        )

    def articles(
        self, count: int, start: date = date(2021, 1, 1), later: int = 0
    ) -> Iterator[GeneratedArticle]:
        """`count` articles over about four years; storylines overlap and continue. `later`
        more follow them, from the same storylines: the articles an editor adds next."""
        rng = self.rng
        days = 4 * 365
        storylines = [
            self._storyline(start + timedelta(days=rng.randrange(days)))
            for _ in range(max(1, count // 6))
        ]
        earlier: list[GeneratedArticle] = []
        for number in range(count + later):
            if earlier and rng.random() < 0.02:  # a refiled wire copy of an earlier story
                original = rng.choice(earlier)
                refiled = GeneratedArticle(
                    f"{original.published.year}/refiled-{number:06d}.md",
                    original.title + " (updated)",
                    original.published,
                    original.beat,
                    [*original.paragraphs, "This story has been refiled to correct a name."],
                    original.names,
                )
                yield refiled
                continue
            story = rng.choice(storylines)
            published = story.start + timedelta(days=rng.randrange(0, 60))
            article = self._article(number, story, published)
            if len(earlier) < 500:
                earlier.append(article)
            yield article

    def _article(self, number: int, story: Storyline, published: date) -> GeneratedArticle:
        rng = self.rng
        person = rng.choice(story.people)
        noun = rng.choice(story.nouns)
        verb = rng.choice(VERBS)
        place = rng.choice(story.places)
        title = f"{person.surname(rng)} {verb[1]} {noun} plan in {place}"
        dateline = f"{place.upper()} ({rng.choice(AGENCIES)}) – "
        paragraphs = [dateline + self._sentence(story, published)]
        for _ in range(rng.randint(5, 9)):
            paragraphs.append(" ".join(self._sentence(story, published)
                                       for _ in range(rng.randint(2, 3))))  # fmt: skip
        slug = f"{published.isoformat()}-{number:06d}"
        names = [f"{p.first} {spelling}" for p in story.people for spelling in p.spellings]
        names += [n for pair in story.organisations for n in pair] + story.places
        return GeneratedArticle(f"{published.year}/{slug}.md", title, published, story.beat,
                                paragraphs, names)  # fmt: skip

    def _words(self, count: int) -> str:
        return " ".join(self.rng.choices(self.filler, cum_weights=self.filler_cumulative, k=count))

    def _when(self, published: date) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            day = published - timedelta(days=rng.randint(1, 40))
            return f"on {day.day} {day.strftime('%B')} {day.year}"
        return rng.choice(RELATIVE).format(weekday=rng.choice(WEEKDAYS))

    def _sentence(self, story: Storyline, published: date) -> str:
        rng = self.rng
        person = rng.choice(story.people)
        organisation, acronym = rng.choice(story.organisations)
        place = rng.choice(story.places)
        noun = rng.choice(story.nouns)
        verb = rng.choice(VERBS)
        templates = [
            f"{person.named(rng)}, the {person.role}, said {self._when(published)} that the "
            f"{noun} in {place} would be {verb[1]} after {self._words(6)}.",
            f"The {organisation} ({acronym}) {verb[1]} the {noun} {self._when(published)}, "
            f"citing {self._words(8)}.",
            f"{person.surname(rng)} told reporters in {place} that {rng.randint(2, 900)} "
            f"{self._words(3)} were at stake and the {acronym} would {verb[0]} the {noun}.",
            f"Officials said {self._words(10)} in {place} since {self._when(published)}.",
            f"Critics of the {noun} said {self._words(12)}.",
        ]
        return rng.choice(templates)


@contextmanager
def work_folder(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary folder for a benchmark's files, removed at the end unless `keep`."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"benchmark files kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def later_articles(count: int, later: int, seed: int = 1) -> list[GeneratedArticle]:
    """The `later` articles that follow an archive of `count` written by `write_archive`."""
    return list(ArchiveGenerator(seed).articles(count, later=later))[count:]


def write_archive(folder: Path, count: int, seed: int = 1) -> int:
    """Writes `count` generated articles as Markdown files under `folder`."""
    written = 0
    for article in ArchiveGenerator(seed).articles(count):
        path = folder / article.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article.markdown(), encoding="utf-8")
        written += 1
    return written
