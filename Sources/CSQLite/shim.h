#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro Swift cannot import: SQLite copies the bound text at once. */
static inline int csqlite_bind_text_transient(sqlite3_stmt *statement, int index, const char *text) {
    return sqlite3_bind_text(statement, index, text, -1, SQLITE_TRANSIENT);
}

/* sqlite3_config is variadic, which Swift cannot call. By default every connection preallocates 20 page-cache
   lines (~86 KiB) at its first read, even for a small index; with this, lines are allocated as pages are read.
   Only takes effect before SQLite initialises (the first sqlite3_open); returns SQLITE_MISUSE after that. */
static inline int csqlite_disable_page_cache_preallocation(void) {
    return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}

/* Memory statistics make every SQLite allocation take one process-wide mutex: with many users' connections
   working on two cores, threads queued on it (futex waits under sqlite3Malloc/sqlite3_free in profiles).
   Nothing here reads them (no sqlite3_memory_used, no soft heap limit). Same rule: before SQLite initialises. */
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
