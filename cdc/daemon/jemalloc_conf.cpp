// jemalloc's options for the sluice binary (linked only with SLUICE_ALLOCATOR=jemalloc), read by
// jemalloc at its first allocation through its `malloc_conf` symbol; the MALLOC_CONF variable
// still overrides them.
//
// dirty_decay_ms: freed pages go back to the kernel over half a second instead of jemalloc's
// default ten seconds. In a catch-up the pipeline thread frees each batch (arena chunks, row event
// buffers) moments after the reader thread allocated it; with ten seconds of decay the reader
// kept taking fresh pages and peak RSS grew from 38 to 50-56 MB over a 1 GB backlog; with half
// a second it stays at 40-44 MB and the catch-up is as fast (tools/bench/RESULTS.md, binlog
// catch-up through the daemon).
extern "C" {
// NOLINTNEXTLINE: the name and type jemalloc looks up
const char* malloc_conf = "dirty_decay_ms:500";
}
