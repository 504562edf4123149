// accuracy-family: stranded-consumer
// accuracy-origin: marcoep/ripright src/ripright.c doRip, src/enc.c encWorker, src/bbuf.c (commit 94eb2a8: encoder threads started with pthread_create wait in BBufGet for a NULL per thread that the early error returns of doRip never send), re-expressed with goto cleanup and pthread_join
// accuracy-shape: queue=c-struct-ring spawner=pthread_create producer=calling-thread consumer=pthread-function exit=goto wait=pthread_join fix=close-under-cleanup-label
//
// The fix: ring_close moves under the cleanup label, so every path closes
// the ring before joining the encoders.
// A CD ripper in C style: a struct ring (pthread mutex and condition
// variables) feeds encoding tasks to encoder threads, which run until
// ring_get reports the ring closed and empty. rip_disc starts the encoders
// first, then looks the disc up; when the lookup fails it jumps to the
// cleanup label, which joins the encoders -- but ring_close sits on the
// success path above the label, so the encoders wait in ring_get forever
// and the first pthread_join never returns.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ring {
  pthread_mutex_t lock;
  pthread_cond_t not_full;
  pthread_cond_t not_empty;
  void **slot;
  unsigned cap, head, tail, count;
  int closed;
};

static int ring_init(struct ring *r, unsigned cap) {
  r->slot = (void **)calloc(cap, sizeof(void *));
  if (r->slot == NULL)
    return -1;
  r->cap = cap;
  r->head = r->tail = r->count = 0;
  r->closed = 0;
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->not_full, NULL);
  pthread_cond_init(&r->not_empty, NULL);
  return 0;
}

static void ring_destroy(struct ring *r) {
  pthread_cond_destroy(&r->not_empty);
  pthread_cond_destroy(&r->not_full);
  pthread_mutex_destroy(&r->lock);
  free(r->slot);
}

/* 0 on success, -1 once the ring is closed */
static int ring_put(struct ring *r, void *item) {
  pthread_mutex_lock(&r->lock);
  while (r->count == r->cap && !r->closed)
    pthread_cond_wait(&r->not_full, &r->lock);
  if (r->closed) {
    pthread_mutex_unlock(&r->lock);
    return -1;
  }
  r->slot[r->tail] = item;
  r->tail = (r->tail + 1) % r->cap;
  r->count++;
  pthread_cond_signal(&r->not_empty);
  pthread_mutex_unlock(&r->lock);
  return 0;
}

/* 0 with an item, -1 when the ring is closed and drained */
static int ring_get(struct ring *r, void **item) {
  pthread_mutex_lock(&r->lock);
  while (r->count == 0 && !r->closed)
    pthread_cond_wait(&r->not_empty, &r->lock);
  if (r->count == 0) {
    pthread_mutex_unlock(&r->lock);
    return -1;
  }
  *item = r->slot[r->head];
  r->head = (r->head + 1) % r->cap;
  r->count--;
  pthread_cond_signal(&r->not_full);
  pthread_mutex_unlock(&r->lock);
  return 0;
}

static void ring_close(struct ring *r) {
  pthread_mutex_lock(&r->lock);
  r->closed = 1;
  pthread_cond_broadcast(&r->not_empty);
  pthread_cond_broadcast(&r->not_full);
  pthread_mutex_unlock(&r->lock);
}

struct enc_task {
  unsigned track;
  char out_name[64];
};

static void *encode_worker(void *arg) {
  struct ring *tasks = (struct ring *)arg;
  void *item;
  while (ring_get(tasks, &item) == 0) {
    struct enc_task *task = (struct enc_task *)item;
    /* FLAC encoding of task->out_name would happen here */
    free(task);
  }
  return NULL;
}

struct disc {
  const char *id;
  unsigned tracks;
};

/* MusicBrainz has no entry for this disc. */
static int lookup_release(const struct disc *d, char *album, size_t len) {
  (void)d;
  (void)album;
  (void)len;
  return -1;
}

#define NENC 4

static int rip_disc(const struct disc *d) {
  struct ring tasks;
  pthread_t enc[NENC];
  unsigned started = 0, i, t;
  char album[64];
  int rc = -1;

  if (ring_init(&tasks, 16) != 0)
    return -1;
  for (i = 0; i < NENC; i++) {
    if (pthread_create(&enc[i], NULL, encode_worker, &tasks) != 0)
      goto cleanup;
    started++;
  }

  if (lookup_release(d, album, sizeof album) != 0) {
    printf("no result for discid=%s: skipping rip\n", d->id);
    goto cleanup;
  }

  for (t = 1; t <= d->tracks; t++) {
    struct enc_task *task = (struct enc_task *)malloc(sizeof *task);
    if (task == NULL)
      goto cleanup;
    task->track = t;
    snprintf(task->out_name, sizeof task->out_name, "%s/%02u.flac", album, t);
    if (ring_put(&tasks, task) != 0) {
      free(task);
      goto cleanup;
    }
  }
  rc = 0;

cleanup:
  ring_close(&tasks); /* on every path: the encoders drain and leave */
  for (i = 0; i < started; i++)
    pthread_join(enc[i], NULL);
  ring_destroy(&tasks);
  return rc;
}

int main(void) {
  struct disc d = {"Wn8eRBtZLFJYg0sY6MO8iM5IgcA-", 12};
  if (rip_disc(&d) != 0)
    printf("rip failed\n");
  return 0;
}
