/* The SSL_CTX's shared/exclusive lock (ContextLock in _locking.py).

   A handshake reads its SSL_CTX, and the methods that change an SSLContext
   free what it reads, so handshakes hold the context shared (any number at
   once) and those methods hold it exclusive.  Every do_handshake() takes it,
   several times a handshake: in C it costs a few dozen instructions where
   the Python version cost about 6,000 per hold and release (135k of a
   7.7M-instruction TLS 1.2 handshake pair on CPython 3.11,
   bench/RESULTS.md).

   The rules are ContextLock's (its docstring): a thread wanting it
   exclusive keeps new sharers out until it had its turn; then every thread
   that waited to share gets in before the next exclusive holder.  Reentrant
   both ways, because Python callbacks run inside handshakes: a thread that
   holds it (shared or exclusive) may take it shared again at once, and a
   thread holding it shared may take it exclusive once no other thread holds
   it; a second thread trying that while the first waits gets an error
   instead of waiting for ever.  So each thread counts its own shared holds,
   in a table of its own (thread-local: only the thread itself reads or
   changes its counts, without the mutex).  Waiting happens here, without
   the GIL (cffi releases it around every call). */
#include "ssl_bio.h"

#include <stdlib.h>

struct ssl_bio_context_lock {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    pthread_t owner; /* valid while depth > 0 */
    long depth;      /* exclusive holds of the owner */
    long sharers;    /* shared holds, all threads together */
    long writers_waiting;
    long readers_waiting;
    int readers_turn; /* after an exclusive hold: the waiting sharers first */
    int upgrading;    /* a thread holding it shared waits to hold it exclusive */
};

/* --- This thread's shared holds ----------------------------------------- */

struct held {
    const ssl_bio_context_lock *lock;
    long count;
};

struct held_table {
    size_t used;
    size_t capacity;
    struct held entries[];
};

static pthread_key_t held_key;
static int held_key_ready;
static pthread_once_t held_key_once = PTHREAD_ONCE_INIT;

static void held_key_create(void)
{
    /* free() runs on the table when its thread exits. */
    held_key_ready = pthread_key_create(&held_key, free) == 0;
}

static struct held_table *held_table(void)
{
    pthread_once(&held_key_once, held_key_create);
    return held_key_ready ? pthread_getspecific(held_key) : NULL;
}

static struct held *held_find(const ssl_bio_context_lock *lock)
{
    struct held_table *table = held_table();
    size_t i;
    if (table == NULL)
        return NULL;
    for (i = 0; i < table->used; i++)
        if (table->entries[i].lock == lock)
            return &table->entries[i];
    return NULL;
}

static long held_count(const ssl_bio_context_lock *lock)
{
    struct held *entry = held_find(lock);
    return entry == NULL ? 0 : entry->count;
}

/* The entry for lock, made (with a count of 0) if there is none; NULL if out
   of memory.  Done before waiting, so that a hold never fails once taken. */
static struct held *held_entry(const ssl_bio_context_lock *lock)
{
    struct held_table *table;
    struct held *entry = held_find(lock);
    if (entry != NULL)
        return entry;
    if (!held_key_ready)
        return NULL;
    table = pthread_getspecific(held_key);
    if (table == NULL || table->used == table->capacity) {
        size_t capacity = table == NULL ? 4 : table->capacity * 2;
        struct held_table *grown =
            realloc(table, sizeof(*table) + capacity * sizeof(struct held));
        if (grown == NULL)
            return NULL;
        grown->capacity = capacity;
        if (table == NULL) {
            grown->used = 0;
            if (pthread_setspecific(held_key, grown) != 0) {
                free(grown);
                return NULL;
            }
        } else if (grown != table) {
            /* The key has its slot for this thread already: cannot fail. */
            (void)pthread_setspecific(held_key, grown);
        }
        table = grown;
    }
    entry = &table->entries[table->used++];
    entry->lock = lock;
    entry->count = 0;
    return entry;
}

static void held_forget(struct held *entry)
{
    struct held_table *table = held_table();
    table->entries[entry - table->entries] = table->entries[--table->used];
}

/* --- The lock ------------------------------------------------------------ */

ssl_bio_context_lock *ssl_bio_context_lock_new(void)
{
    ssl_bio_context_lock *lock = calloc(1, sizeof(*lock));
    if (lock == NULL)
        return NULL;
    if (pthread_mutex_init(&lock->mutex, NULL) != 0) {
        free(lock);
        return NULL;
    }
    if (pthread_cond_init(&lock->changed, NULL) != 0) {
        pthread_mutex_destroy(&lock->mutex);
        free(lock);
        return NULL;
    }
    return lock;
}

void ssl_bio_context_lock_free(ssl_bio_context_lock *lock)
{
    pthread_cond_destroy(&lock->changed);
    pthread_mutex_destroy(&lock->mutex);
    free(lock);
}

static int owned_by_me(const ssl_bio_context_lock *lock)
{
    return lock->depth > 0 && pthread_equal(lock->owner, pthread_self());
}

/* 0, or -1 if out of memory (nothing held then). */
int ssl_bio_context_lock_acquire_shared(ssl_bio_context_lock *lock)
{
    struct held *mine = held_entry(lock);
    if (mine == NULL)
        return -1;
    pthread_mutex_lock(&lock->mutex);
    if (mine->count == 0 && !owned_by_me(lock)
        && (lock->depth > 0 || lock->writers_waiting)) {
        lock->readers_waiting++;
        while (lock->depth > 0 || (lock->writers_waiting && !lock->readers_turn))
            pthread_cond_wait(&lock->changed, &lock->mutex);
        lock->readers_waiting--;
        if (lock->readers_waiting == 0 && lock->readers_turn) {
            lock->readers_turn = 0;
            pthread_cond_broadcast(&lock->changed);
        }
    }
    lock->sharers++;
    mine->count++;
    pthread_mutex_unlock(&lock->mutex);
    return 0;
}

/* 0, or -1 if this thread does not hold it shared. */
int ssl_bio_context_lock_release_shared(ssl_bio_context_lock *lock)
{
    struct held *mine = held_find(lock);
    if (mine == NULL || mine->count == 0)
        return -1;
    pthread_mutex_lock(&lock->mutex);
    lock->sharers--;
    if (--mine->count == 0)
        held_forget(mine);
    if (lock->writers_waiting)
        pthread_cond_broadcast(&lock->changed);
    pthread_mutex_unlock(&lock->mutex);
    return 0;
}

/* 0, or -1 if another thread holding it shared already waits to take it
   exclusive (each would wait for the other). */
int ssl_bio_context_lock_acquire_exclusive(ssl_bio_context_lock *lock)
{
    long mine = held_count(lock);
    pthread_mutex_lock(&lock->mutex);
    if (owned_by_me(lock)) {
        lock->depth++;
        pthread_mutex_unlock(&lock->mutex);
        return 0;
    }
    if (mine > 0) {
        if (lock->upgrading) {
            pthread_mutex_unlock(&lock->mutex);
            return -1;
        }
        lock->upgrading = 1;
    }
    lock->writers_waiting++;
    while (lock->depth > 0 || lock->readers_turn || lock->sharers > mine)
        pthread_cond_wait(&lock->changed, &lock->mutex);
    lock->writers_waiting--;
    if (mine > 0)
        lock->upgrading = 0;
    lock->owner = pthread_self();
    lock->depth = 1;
    pthread_mutex_unlock(&lock->mutex);
    return 0;
}

/* 0, or -1 if this thread does not hold it exclusive. */
int ssl_bio_context_lock_release_exclusive(ssl_bio_context_lock *lock)
{
    pthread_mutex_lock(&lock->mutex);
    if (!owned_by_me(lock)) {
        pthread_mutex_unlock(&lock->mutex);
        return -1;
    }
    if (--lock->depth == 0) {
        if (lock->readers_waiting)
            lock->readers_turn = 1;
        pthread_cond_broadcast(&lock->changed);
    }
    pthread_mutex_unlock(&lock->mutex);
    return 0;
}
