import TorchShim

/// glibc hands every block above its mmap threshold (at most 32 MB) to the kernel when it is
/// freed, so the next tensor of that size page-faults and has each page zeroed again. A
/// training step allocates and frees the same large tensors every time: perf put a fifth of
/// `rlrun bench train`'s samples in the kernel's clear_page. Kept in the heap instead, the
/// blocks are reused (small shape: 4.40-4.43 s a step against 5.2-5.7, about the same peak,
/// and never returned to the system while the process runs).
public enum FreedMemory {
    public static func keepInProcess() {
        rt_keep_freed_memory()
    }
}
