"""Handing data to the model's process: Arrow files of record batches."""

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather


def write_batches(frame: pd.DataFrame, features: list[str], path: str, batch_rows: int) -> None:
    """The features as an Arrow file of record batches, converted one batch at a time so
    that neither process ever holds a second copy of the whole frame. When a later batch
    disagrees with the first one's types (a column empty in the first batch), the whole
    frame is converted at once instead."""
    try:
        with pa.OSFile(path, "wb") as sink:
            writer, schema = None, None
            positions = [frame.columns.get_loc(name) for name in features]
            for start in range(0, max(len(frame), 1), batch_rows):
                part = frame.iloc[start : start + batch_rows, positions]
                table = pa.Table.from_pandas(part, preserve_index=False, schema=schema)
                if writer is None:
                    schema, writer = table.schema, pa.ipc.new_file(sink, table.schema)
                writer.write_table(table)
            if writer is None:  # the loop runs at least once unless batch_rows is negative
                raise ValueError(f"batch_rows must be positive, not {batch_rows}")
            writer.close()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        table = pa.Table.from_pandas(frame, columns=features, preserve_index=False)
        feather.write_feather(table, path, compression="uncompressed", chunksize=batch_rows)
