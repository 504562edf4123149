// RUN: %run_fix_test %s %t
//
// A C-style ring (a struct with a pthread mutex and two conditions, free
// functions taking a pointer to it) with no close: the loader ends the
// stream with one message of length -1 per worker, and a worker leaves on
// it. A bad record makes the loader `goto fail`, past the end messages:
// every worker waits in ring_take() and the joins hang. The fix sends the
// end messages from a guard on every way out of the loader, once.
#include <pthread.h>
#include <stdio.h>

enum { RING_SLOTS = 2, WORKERS = 3 };

struct msg {
  int len; /* -1: end of the stream */
  int value;
};

struct ring {
  pthread_mutex_t lock;
  pthread_cond_t has_room, has_data;
  struct msg slots[RING_SLOTS];
  int start, used;
};

static void ring_init(struct ring *r) {
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->has_room, NULL);
  pthread_cond_init(&r->has_data, NULL);
  r->start = r->used = 0;
}

static void ring_put(struct ring *r, const struct msg *m) {
  pthread_mutex_lock(&r->lock);
  while (r->used == RING_SLOTS)
    pthread_cond_wait(&r->has_room, &r->lock);
  r->slots[(r->start + r->used) % RING_SLOTS] = *m;
  r->used++;
  pthread_cond_signal(&r->has_data);
  pthread_mutex_unlock(&r->lock);
}

static void ring_take(struct ring *r, struct msg *m) {
  pthread_mutex_lock(&r->lock);
  while (r->used == 0)
    pthread_cond_wait(&r->has_data, &r->lock);
  *m = r->slots[r->start];
  r->start = (r->start + 1) % RING_SLOTS;
  r->used--;
  pthread_cond_signal(&r->has_room);
  pthread_mutex_unlock(&r->lock);
}

struct worker_arg {
  struct ring *r;
  long total;
};

static void *worker(void *p) {
  struct worker_arg *arg = (struct worker_arg *)p;
  struct msg m;
  for (;;) {
    ring_take(arg->r, &m);
    if (m.len == -1)
      break;
    arg->total += m.value;
  }
  return NULL;
}

/* Records 0..19; record 7 is corrupt. */
static int load(struct ring *r, int nworkers) {
  struct msg m;
  for (int rec = 0; rec < 20; rec++) {
    if (rec == 7)
      goto fail;
    m.len = 1;
    m.value = rec;
    ring_put(r, &m);
  }
  m.len = -1;
  for (int i = 0; i < nworkers; i++)
    ring_put(r, &m);
  return 0;
fail:
  fprintf(stderr, "load: record 7 is corrupt\n");
  return -1;
}

int main(void) {
  struct ring r;
  pthread_t threads[WORKERS];
  struct worker_arg args[WORKERS];
  ring_init(&r);
  for (int i = 0; i < WORKERS; i++) {
    args[i].r = &r;
    args[i].total = 0;
    pthread_create(&threads[i], NULL, worker, &args[i]);
  }
  int status = load(&r, WORKERS);
  for (int i = 0; i < WORKERS; i++)
    pthread_join(threads[i], NULL);
  printf("load %s\n", status == 0 ? "ok" : "failed");
  return 0;
}
// CHECK-FIXES: auto sendEndMarkers = [&] {
// CHECK-FIXES-NEXT: m.len = -1;
// CHECK-FIXES: endMarkersOnExit.sent = true;
// CHECK-FIXES-NEXT: sendEndMarkers();
