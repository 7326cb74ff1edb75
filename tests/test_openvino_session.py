"""When the model runs in bfloat16: the CPU's flags as /proc/cpuinfo lists them (the session
itself runs in tests/test_embeddings_fast.py, against float32, on a CPU that has them)."""

from __future__ import annotations

from datatenet.embeddings.openvino_session import cpu_flags_compute_bf16

EPYC_GENOA = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu vme avx2 avx512f avx512bw avx512_bf16 avx512_vnni
bugs\t\t: sysret_ss_attrs
"""
SAPPHIRE_RAPIDS = "flags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n"
ICE_LAKE = "flags\t\t: fpu avx2 avx512f avx512_vnni avx512_bf16_unknown\nbugs\t: bf16\n"


def test_bfloat16_is_native_only_with_avx512_bf16_or_amx() -> None:
    assert cpu_flags_compute_bf16(EPYC_GENOA)
    assert cpu_flags_compute_bf16(SAPPHIRE_RAPIDS)
    assert not cpu_flags_compute_bf16(ICE_LAKE)  # a flag that only contains the name
    assert not cpu_flags_compute_bf16("processor\t: 0\nmodel name\t: avx512_bf16\n")  # no flags
    assert not cpu_flags_compute_bf16("")
