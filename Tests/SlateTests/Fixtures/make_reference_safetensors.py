"""Generates reference.safetensors with the reference Python `safetensors` library (0.8.0, numpy 2.4).

Run once from this directory:  pip install safetensors numpy && python3 make_reference_safetensors.py
SafeTensorsTests.testReadsFileWrittenByReferenceLibrary checks the values below.
numpy has no bfloat16, so the BF16 tensor is passed to the library's serializer as raw bits
(the upper 16 bits of the float32 values, which are exactly representable in bfloat16).
"""
import numpy as np
from safetensors.numpy import save_file, _flatten
from safetensors import serialize_file

tensors = {
    "weight_f32": np.array([[1.5, -2.25, 3.0], [0.125, -0.0, 1e-3]], dtype=np.float32),
    "half_f16": np.array([1.0, -2.5, 65504.0, 6.1035156e-05, 5.9604645e-08, 0.33325195], dtype=np.float16),
    "double_f64": np.array([[3.141592653589793], [-1e10]], dtype=np.float64),
    "steps_i64": np.array([0, -7, 123456789], dtype=np.int64),
    "scalar_f32": np.array(42.0, dtype=np.float32),
}
bf16_values = np.array([1.0, -0.5, 3.140625, 256.0], dtype=np.float32)
bf16_bits = (bf16_values.view(np.uint32) >> 16).astype(np.uint16)
metadata = {"format": "pt", "model": "fixture", "note": "généré par safetensors 0.8.0"}

specs = _flatten(tensors, [])
flat_bf16 = _flatten({"bias_bf16": bf16_bits}, [])["bias_bf16"]
specs["bias_bf16"] = type(flat_bf16)(dtype="bfloat16", shape=flat_bf16.shape,
                                     data_ptr=flat_bf16.data_ptr, data_len=flat_bf16.data_len)
serialize_file(specs, "reference.safetensors", metadata=metadata)
