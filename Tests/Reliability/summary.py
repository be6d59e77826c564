"""One scenario's result: the figures of its summary line and the failures that make the run fail."""
import dataclasses


@dataclasses.dataclass
class Summary:
    name: str
    seed: int
    tries: int = 0
    acknowledged: int = 0
    refused: int = 0
    unknown: int = 0
    lost: int = 0
    resurrected: int = 0
    duplicated: int = 0
    crashes: int = 0
    max_rss: int = 0          # bytes
    temporary: int = 0        # temporary answers (451, NO [UNAVAILABLE], -ERR [SYS/TEMP]) counted by the clients
    cycles: int = 0
    seconds: float = 0.0
    extra: dict = dataclasses.field(default_factory=dict)
    failures: list = dataclasses.field(default_factory=list)

    def line(self) -> str:
        extra = "".join(f" {key}={value}" for key, value in self.extra.items())
        return (f"SUMMARY {self.name}: seed={self.seed} tries={self.tries} acknowledged={self.acknowledged} "
                f"refused={self.refused} unknown={self.unknown} lost={self.lost} resurrected={self.resurrected} "
                f"duplicated={self.duplicated} crashes={self.crashes} max_rss={self.max_rss / 2**20:.0f}MB "
                f"temporary={self.temporary} cycles={self.cycles} seconds={self.seconds:.0f}{extra} "
                f"{'FAILED' if self.failures else 'ok'}")
