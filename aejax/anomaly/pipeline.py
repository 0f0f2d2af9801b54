"""A fitted pipeline in a work directory: raw columns -> features -> detector -> decisions.

    WORKDIR/pipeline.json   the input's columns and their roles, the fitted preprocessor
    WORKDIR/detector/       the detector with its threshold (`Detector.save`)

Registered tabular runs and `aejax anomaly fit` write one; `aejax score` reads it
(`aejax.anomaly.score_file`). A series pipeline's detector is a `SeriesDetector` over windows of the
feature rows of each series (rows grouped by the series-id column, in time order).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aejax import run as run_lib
from aejax.anomaly import records
from aejax.anomaly.detector import DETECTOR_FILE, Detector, load_detector
from aejax.anomaly.sealed import CorruptFileError, read_sealed, write_sealed
from aejax.anomaly.tables import NUMERIC, TabularPreprocessor

PIPELINE_FILE = "pipeline.json"
DETECTOR_DIR = "detector"


@dataclasses.dataclass(frozen=True)
class InputSchema:
    """The columns of the file a pipeline was fitted on, in order, and those that are not
    features: an optional label (1 = anomaly; used for metrics only), time (numeric, or ISO 8601
    timestamps: time_kind "time") and series-id columns. Other non-feature columns are ignored.
    na_values: CSV cells read as missing values (besides empty ones); time_step: the median time
    step of the training series (scoring names the gaps in new series)."""

    columns: tuple[str, ...]
    label: str | None = None
    time: str | None = None
    time_kind: str = records.NUMERIC
    series_id: str | None = None
    na_values: tuple[str, ...] = ()
    time_step: float | None = None

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "columns": list(self.columns), "na_values": list(self.na_values)}

    @classmethod
    def from_dict(cls, d: dict) -> "InputSchema":
        return cls(**{**d, "columns": tuple(d["columns"]), "na_values": tuple(d.get("na_values", ()))})


@dataclasses.dataclass(eq=False)
class Pipeline:
    """preprocessor: raw feature columns -> float32 features [N, D]; detector: features (tables)
    or the feature rows of each series (a `SeriesDetector`) -> scores, with its threshold."""

    preprocessor: TabularPreprocessor
    detector: Detector
    schema: InputSchema | None = None  # default: the preprocessor's columns, nothing else

    def __post_init__(self):
        if self.schema is None:
            self.schema = InputSchema(self.preprocessor.columns)

    @property
    def is_series(self) -> bool:
        return self.detector.kind == "series"

    def input_kinds(self) -> dict[str, str]:
        """The columns scoring reads (records.NUMERIC | TEXT | TIME), the label excluded."""
        kinds = {c: records.NUMERIC if k == NUMERIC else records.TEXT
                 for c, k in zip(self.preprocessor.columns, self.preprocessor.kinds)}
        if self.schema.series_id:
            kinds[self.schema.series_id] = records.TEXT
        if self.schema.time:
            kinds[self.schema.time] = self.schema.time_kind
        return kinds

    def may_be_missing(self) -> tuple[str, ...]:
        """The columns whose missing values the preprocessor fills (its numeric columns), if it fills any."""
        return self.preprocessor.numeric_columns if self.preprocessor.fill is not None else ()

    def features(self, columns: records.Columns, *, clip: bool = False):
        """Features float32 [n, D] of a chunk of records (clip: as in training, see TabularPreprocessor)."""
        pre = self.preprocessor
        return pre.features([columns.numeric[c] for c in pre.numeric_columns], [columns.text[c] for c in pre.vocab],
                            clip=clip)

    def save(self, workdir) -> None:
        workdir = Path(workdir)
        run_lib.claim(workdir, DETECTOR_DIR, PIPELINE_FILE)
        self.detector.save(workdir / DETECTOR_DIR)
        meta = {"preprocessor": self.preprocessor.to_dict(), "schema": self.schema.to_dict()}
        write_sealed(workdir / PIPELINE_FILE, meta, needs=[f"{DETECTOR_DIR}/{DETECTOR_FILE}"])

    @classmethod
    def load(cls, workdir) -> "Pipeline":
        workdir = Path(workdir)
        path = workdir / PIPELINE_FILE
        if not path.is_file():
            what = "holds no fitted detector" if workdir.is_dir() else "does not exist: it holds no fitted detector"
            raise FileNotFoundError(
                f"{workdir} {what} ({PIPELINE_FILE} is missing); fit one first with "
                "`aejax anomaly fit --train FILE --workdir DIR`, or run a tabular anomaly experiment into it "
                "(`aejax run anomaly/thyroid --workdir DIR`)")
        meta = read_sealed(path)
        try:
            preprocessor, schema = TabularPreprocessor.from_dict(meta["preprocessor"]), InputSchema.from_dict(meta["schema"])
        except (KeyError, TypeError, ValueError) as err:
            raise CorruptFileError(f"{path} is not an aejax pipeline ({type(err).__name__}: {err}); fit the detector "
                                   "again") from None
        return cls(preprocessor, load_detector(workdir / DETECTOR_DIR), schema)
