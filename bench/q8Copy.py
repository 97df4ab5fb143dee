"""Q8_0 copy of an F16 GGUF, for bench/runtimeBuild.ts: no llama-quantize is built here and
node-llama-cpp has no quantizer, so this uses llama.cpp's own gguf-py (reader, writer and the
Q8_0 quantizer that is bit-exact with ggml-quants.c) from the bundled source.
Every F16 tensor becomes Q8_0 (as llama-quantize's Q8_0 does for this architecture: embeddings
and output included); F32 norms and biases stay F32.

PYTHONPATH=<llama.cpp>/gguf-py python3 bench/q8Copy.py <in-f16.gguf> <out-q8_0.gguf>
"""
import sys

import numpy as np
import gguf

LLAMA_FTYPE_MOSTLY_Q8_0 = 7


def main(src: str, dst: str) -> None:
    reader = gguf.GGUFReader(src)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
    writer = gguf.GGUFWriter(dst, arch)
    for field in reader.fields.values():
        # GGUF.* are the reader's virtual fields; the writer writes the architecture itself.
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith('GGUF.'):
            continue
        val_type = field.types[0]
        sub_type = field.types[-1] if val_type == gguf.GGUFValueType.ARRAY else None
        value = field.contents()
        if field.name == gguf.Keys.General.FILE_TYPE:
            value = LLAMA_FTYPE_MOSTLY_Q8_0
        writer.add_key_value(field.name, value, val_type, sub_type=sub_type)
    if gguf.Keys.General.QUANTIZATION_VERSION not in reader.fields:
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    for t in reader.tensors:
        if t.tensor_type == gguf.GGMLQuantizationType.F16:
            q = gguf.quants.quantize(np.asarray(t.data).astype(np.float32), gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(t.name, q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(t.name, np.asarray(t.data), raw_dtype=t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
