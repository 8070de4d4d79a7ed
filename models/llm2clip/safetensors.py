"""Read and write the safetensors format without the `safetensors` package (Debian has none).

A file is an 8-byte little-endian header length N, N bytes of JSON (`{name: {dtype, shape, data_offsets}}`
plus an optional `__metadata__`), then the raw little-endian tensor bytes. Tensors are memory-mapped, so an
8B checkpoint is read shard by shard, page by page.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict, Iterable, Mapping, Optional, Tuple

import numpy as np
import torch

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"

# safetensors dtype -> (numpy dtype used to read the bytes, torch dtype of the tensor)
DTYPES: Dict[str, Tuple[np.dtype, torch.dtype]] = {
    "F64": (np.dtype("<f8"), torch.float64),
    "F32": (np.dtype("<f4"), torch.float32),
    "F16": (np.dtype("<f2"), torch.float16),
    "BF16": (np.dtype("<i2"), torch.bfloat16),  # numpy has no bfloat16: read the bits, reinterpret in torch
    "I64": (np.dtype("<i8"), torch.int64),
    "I32": (np.dtype("<i4"), torch.int32),
    "I16": (np.dtype("<i2"), torch.int16),
    "I8": (np.dtype("i1"), torch.int8),
    "U8": (np.dtype("u1"), torch.uint8),
    "BOOL": (np.dtype("?"), torch.bool),
}
NAME_OF_DTYPE = {torch_dtype: name for name, (_, torch_dtype) in DTYPES.items()}


class SafetensorsError(ValueError):
    pass


def read_header(path: Path) -> Tuple[dict, int]:
    """The JSON header and the offset where tensor data starts."""
    with open(path, "rb") as f:
        prefix = f.read(8)
        if len(prefix) != 8:
            raise SafetensorsError(f"{path}: too short for a safetensors file")
        (length,) = struct.unpack("<Q", prefix)
        if length > 100_000_000:
            raise SafetensorsError(f"{path}: header length {length} is not plausible")
        header = json.loads(f.read(length))
    return header, 8 + length


def load_file(path: Path, names: Optional[Iterable[str]] = None) -> Dict[str, torch.Tensor]:
    """Tensors of one file (all, or those in `names`), backed by a read-only memory map."""
    path = Path(path)
    header, start = read_header(path)
    header.pop("__metadata__", None)
    wanted = header.keys() if names is None else names
    # Copy-on-write: pages load lazily from the file, and torch gets the writable array it expects.
    data = np.memmap(path, dtype=np.uint8, mode="c", offset=start)
    tensors: Dict[str, torch.Tensor] = {}
    for name in wanted:
        entry = header.get(name)
        if entry is None:
            raise SafetensorsError(f"{path}: no tensor named {name!r}")
        if entry["dtype"] not in DTYPES:
            raise SafetensorsError(f"{path}: tensor {name!r} has unsupported dtype {entry['dtype']}")
        np_dtype, torch_dtype = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end - begin != int(np.prod(shape, dtype=np.int64)) * np_dtype.itemsize:
            raise SafetensorsError(f"{path}: tensor {name!r} has {end - begin} bytes for shape {list(shape)}")
        array = data[begin:end].view(np_dtype).reshape(shape)
        tensor = torch.from_numpy(array)
        tensors[name] = tensor.view(torch_dtype) if torch_dtype == torch.bfloat16 else tensor
    return tensors


def checkpoint_files(folder: Path) -> Dict[str, Path]:
    """tensor name -> file, for a HF checkpoint folder (sharded with an index, or a single model.safetensors)."""
    folder = Path(folder)
    index = folder / INDEX_NAME
    if index.is_file():
        weight_map = json.loads(index.read_text())["weight_map"]
        return {name: folder / file for name, file in weight_map.items()}
    single = folder / SINGLE_NAME
    if not single.is_file():
        raise SafetensorsError(f"{folder}: neither {INDEX_NAME} nor {SINGLE_NAME} is there")
    header, _ = read_header(single)
    return {name: single for name in header if name != "__metadata__"}


def load_checkpoint(folder: Path, names: Optional[Iterable[str]] = None) -> Dict[str, torch.Tensor]:
    """Tensors of a HF checkpoint folder, shard by shard."""
    files = checkpoint_files(folder)
    wanted = list(files) if names is None else list(names)
    missing = [name for name in wanted if name not in files]
    if missing:
        raise SafetensorsError(f"{folder}: missing tensors {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    by_file: Dict[Path, list] = {}
    for name in wanted:
        by_file.setdefault(files[name], []).append(name)
    tensors: Dict[str, torch.Tensor] = {}
    for file, file_names in by_file.items():
        tensors.update(load_file(file, file_names))
    return tensors


def save_file(tensors: Mapping[str, torch.Tensor], path: Path, metadata: Optional[Mapping[str, str]] = None) -> None:
    """Write tensors in safetensors layout (contiguous, little-endian, header padded to 8 bytes)."""
    header: dict = {"__metadata__": dict(metadata)} if metadata else {}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        if tensor.dtype not in NAME_OF_DTYPE:
            raise SafetensorsError(f"tensor {name!r} has unsupported dtype {tensor.dtype}")
        raw = (tensor.view(torch.int16) if tensor.dtype == torch.bfloat16 else tensor).numpy().tobytes()
        header[name] = {"dtype": NAME_OF_DTYPE[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)
