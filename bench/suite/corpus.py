"""The deterministic mail corpus both servers receive: the same bytes for the same seed on any machine.

Mix (by count): 50 % text/plain, 25 % multipart/alternative (text + HTML), 25 % multipart/mixed with a
base64 attachment. Sizes follow a log-normal distribution with a median of about 20 KB, clipped to
1 KB - 2 MB (a realistic mailbox: most mails are small, a few carry large attachments); one mail in a
thousand is a 2 MB one. Every third
mail has an RFC 2047 encoded non-ASCII From name or Subject; about 40 % are replies (In-Reply-To,
References, "Re:") to an earlier mail of the corpus, so threads form."""
import base64
import email.header
import math
import random
import urllib.parse

NAMES = ["Jürgen Müller", "Zoë Ångström", "山田 太郎", "Ελένη Παπαδοπούλου", "Олег Иванов", "Ana Peña",
         "Alice Smith", "Bob Jones", "Carol White", "Dave Brown", "Erin Black", "Frank Green"]
WORDS = ("report budget meeting invoice travel release schedule review draft contract lunch offsite "
         "quarterly roadmap incident backup server migration design proposal feedback holiday").split()
SUBJECTS_NON_ASCII = ["Résumé für nächste Woche", "会議の議事録", "Οικονομική έκθεση", "Отчёт за квартал", "Café à midi ☕"]
MEDIAN, SIGMA, MINIMUM, MAXIMUM = 20_000, 1.1, 1_000, 2_000_000


def _address(rng: random.Random, name: str) -> str:
    local = "".join(c for c in name.lower().replace(" ", ".") if c.isascii() and (c.isalnum() or c == ".")) or "user"
    local = local.strip(".") or f"user{rng.randrange(1000)}"
    encoded = email.header.Header(name, "utf-8").encode() if not name.isascii() else f'"{name}"'
    return f"{encoded} <{local}@example.org>"


def _text(rng: random.Random, size: int) -> str:
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        lines.append(line)
        total += len(line) + 2
    return "\r\n".join(lines) + "\r\n"


def message(rng: random.Random, number: int, earlier: list[tuple[str, str]]) -> tuple[bytes, str, str]:
    """One mail; returns (bytes, Message-ID, subject) so later mails can reply to it."""
    # One mail in a thousand carries an attachment of the maximum size, so the top of the range is exercised.
    largest = number % 1000 == 999
    size = MAXIMUM if largest else int(min(MAXIMUM, max(MINIMUM, math.exp(math.log(MEDIAN) + SIGMA * rng.gauss(0, 1)))))
    sender = rng.choice(NAMES if number % 3 == 0 else NAMES[6:])
    message_id = f"<corpus-{number}@example.org>"
    headers = [f"From: {_address(rng, sender)}", f"To: {_address(rng, rng.choice(NAMES[6:]))}",
               f"Date: {'Mon Tue Wed Thu Fri'.split()[number % 5]}, {1 + number % 28:02d} Oct 2026 "
               f"{number % 24:02d}:{number % 60:02d}:00 +0000", f"Message-ID: {message_id}"]
    if earlier and rng.random() < 0.4:
        parent_id, parent_subject = rng.choice(earlier[-50:])
        subject = parent_subject if parent_subject.startswith("Re: ") else "Re: " + parent_subject
        headers += [f"In-Reply-To: {parent_id}", f"References: {parent_id}"]
    elif number % 3 == 1:
        subject = rng.choice(SUBJECTS_NON_ASCII)
    else:
        subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()
    encoded_subject = subject if subject.isascii() else email.header.Header(subject, "utf-8").encode()
    headers += [f"Subject: {encoded_subject}", "MIME-Version: 1.0"]
    kind = 0.9 if largest else rng.random()
    header_size = sum(len(h) + 2 for h in headers)
    if kind < 0.5:
        headers.append("Content-Type: text/plain; charset=utf-8")
        body = _text(rng, size - header_size)
    elif kind < 0.75:
        boundary = f"alt-{number}"
        text = _text(rng, (size - header_size) // 3)
        html = "<html><body><p>" + text.replace("\r\n", "</p>\r\n<p>") + "</p></body></html>\r\n"
        headers.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}"
                f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}--{boundary}--\r\n")
    else:
        boundary = f"mix-{number}"
        text = _text(rng, min(2_000, size // 4))
        attachment_size = max(500, (size - header_size - len(text)) * 3 // 4)
        data = rng.randbytes(attachment_size)
        encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
        filename = rng.choice(["report.pdf", "photo.jpg", "Übersicht.xlsx", "slides.pptx"])
        disposition = (f'attachment; filename="{filename}"' if filename.isascii()
                       else f"attachment; filename*=utf-8''{urllib.parse.quote(filename)}")
        headers.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}"
                f"--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                f"Content-Disposition: {disposition}\r\n\r\n{encoded}--{boundary}--\r\n")
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode(), message_id, subject


def generate(count: int, seed: int = 14) -> list[bytes]:
    rng = random.Random(seed)
    earlier: list[tuple[str, str]] = []
    mails = []
    for number in range(count):
        data, message_id, subject = message(rng, number, earlier)
        earlier.append((message_id, subject))
        mails.append(data)
    return mails


if __name__ == "__main__":
    import statistics
    import sys
    mails = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    sizes = sorted(len(m) for m in mails)
    print(f"{len(mails)} mails, median {statistics.median(sizes)} B, mean {statistics.mean(sizes):.0f} B, "
          f"min {sizes[0]}, max {sizes[-1]}, total {sum(sizes) / 1e6:.1f} MB")
