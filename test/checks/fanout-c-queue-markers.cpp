// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// C-style queues (a struct with a pthread mutex and conditions, free
// functions taking a pointer to it) that have no close: the producer ends
// the stream with one end marker per worker, an item whose field holds the
// value the workers stop on (`block.count = 0;` before the push). The
// workers reach the queue through the argument struct the spawner filled
// (`info[i].queue = &queue;`). An exit of the producer that skips the
// markers strands them; markers sent on every path do not.
#include <pthread.h>
#include <stdio.h>

enum { SLOTS = 2 };

typedef struct {
  int count; /* 0: no more input */
  int first;
} BLOCK;

typedef struct {
  pthread_mutex_t mutex;
  pthread_cond_t not_full, not_empty;
  BLOCK slots[SLOTS];
  int head, n;
} WORKQ;

static void workq_put(WORKQ *q, const BLOCK *b) {
  pthread_mutex_lock(&q->mutex);
  while (q->n == SLOTS)
    pthread_cond_wait(&q->not_full, &q->mutex);
  q->slots[(q->head + q->n) % SLOTS] = *b;
  q->n++;
  pthread_cond_signal(&q->not_empty);
  pthread_mutex_unlock(&q->mutex);
}

static void workq_get(WORKQ *q, BLOCK *b) {
  pthread_mutex_lock(&q->mutex);
  while (q->n == 0)
    pthread_cond_wait(&q->not_empty, &q->mutex);
  *b = q->slots[q->head];
  q->head = (q->head + 1) % SLOTS;
  q->n--;
  pthread_cond_signal(&q->not_full);
  pthread_mutex_unlock(&q->mutex);
}

typedef struct {
  WORKQ *queue;
  long sum;
} WORKER;

static void *worker_main(void *arg) {
  WORKER *w = (WORKER *)arg;
  BLOCK b;
  for (;;) {
    workq_get(w->queue, &b);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: consumers can block forever in 'workq_get' on queue 'queue' (WORKQ): the producer can finish without closing it [fanout-stranded-consumer]
    if (b.count == 0)
      break;
    w->sum += b.first;
  }
  return NULL;
}

int read_block(BLOCK *b);

// Wrong: a bad block jumps past the end markers.
static int feed_skipping(WORKQ *q, int nworkers) {
  BLOCK b;
  int status;
  while ((status = read_block(&b)) == 1)
    workq_put(q, &b);
  if (status < 0)
    goto fail;
  b.count = 0;
  for (int i = 0; i < nworkers; i++)
    workq_put(q, &b);
  return 0;
fail:
  return status;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: producer returns here without closing 'queue'
}

int run_skipping(void) {
  enum { N = 3 };
  WORKQ queue;
  pthread_t threads[N];
  WORKER info[N];
  for (int i = 0; i < N; i++) {
    info[i].queue = &queue;
    info[i].sum = 0;
    pthread_create(&threads[i], NULL, worker_main, &info[i]);
  }
  int status = feed_skipping(&queue, N);
  for (int i = 0; i < N; i++)
    pthread_join(threads[i], NULL);
  return status;
}

// Correct: the error path falls into the end markers.
static int feed_through(WORKQ *q, int nworkers) {
  BLOCK b;
  int status;
  while ((status = read_block(&b)) == 1)
    workq_put(q, &b);
  if (status < 0)
    goto done;
  status = 0;
done:
  b.count = 0;
  for (int i = 0; i < nworkers; i++)
    workq_put(q, &b);
  return status;
}

int run_through(void) {
  enum { N = 3 };
  WORKQ queue;
  pthread_t threads[N];
  WORKER info[N];
  for (int i = 0; i < N; i++) {
    info[i].queue = &queue;
    info[i].sum = 0;
    pthread_create(&threads[i], NULL, worker_main, &info[i]);
  }
  int status = feed_through(&queue, N);
  for (int i = 0; i < N; i++)
    pthread_join(threads[i], NULL);
  return status;
}

// Correct, spelled otherwise: one worker, its context a single struct
// filled field by field, the marker a braced item, the early return after
// the marker.
typedef struct {
  WORKQ *in;
  int seen;
} CTX;

static void *drain_main(void *arg) {
  CTX *ctx = (CTX *)arg;
  for (;;) {
    BLOCK item;
    workq_get(ctx->in, &item);
    if (item.count == 0)
      return NULL;
    ctx->seen++;
  }
}

int pump(void) {
  WORKQ ring;
  CTX ctx;
  ctx.in = &ring;
  ctx.seen = 0;
  pthread_t drainer;
  pthread_create(&drainer, NULL, drain_main, &ctx);
  BLOCK item;
  int status;
  while ((status = read_block(&item)) == 1)
    workq_put(&ring, &item);
  BLOCK stop = {0, -1};
  workq_put(&ring, &stop);
  pthread_join(drainer, NULL);
  return status < 0 ? status : ctx.seen;
}

// Wrong: the end block's count is set, then the reader fills the block
// again before sending it: what goes out is data, not the marker.
int read_tail(BLOCK *b);

static int feed_overwritten(WORKQ *q, int nworkers) {
  BLOCK b;
  while (read_block(&b) == 1)
    workq_put(q, &b);
  b.count = 0;
  read_tail(&b);
  for (int i = 0; i < nworkers; i++)
    workq_put(q, &b);
  return 0;
}

static void *tail_worker(void *arg) {
  WORKER *w = (WORKER *)arg;
  BLOCK b;
  for (;;) {
    workq_get(w->queue, &b);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: consumers can block forever in 'workq_get' on queue 'queue' (WORKQ): the producer can finish without closing it (it never closes it) [fanout-stranded-consumer]
    if (b.count == 0)
      break;
    w->sum += b.first;
  }
  return NULL;
}

int run_overwritten(void) {
  enum { N = 2 };
  WORKQ queue;
  pthread_t threads[N];
  WORKER info[N];
  for (int i = 0; i < N; i++) {
    info[i].queue = &queue;
    info[i].sum = 0;
    pthread_create(&threads[i], NULL, tail_worker, &info[i]);
  }
  int status = feed_overwritten(&queue, N);
  for (int i = 0; i < N; i++)
    pthread_join(threads[i], NULL);
  return status;
}
