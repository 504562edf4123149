// accuracy-family: stranded-consumer
// accuracy-origin: EddyRivasLab/hmmer src/hmmsearch.c thread_loop() (the reader sends one empty EOF block per worker through easel's esl_workqueue; workers stop on a block with count == 0) with easel's `goto ERROR` error idiom (ESL_XFAIL)
// accuracy-shape: queue=pthread-cond-hand-written close=end-of-stream-marker marker=empty-block-per-worker spawner=pthread_create producer=calling-thread-helper consumer=free-function exit=goto fix=markers-after-error-label wait=pthread_join
//
// The fix: the EOF blocks are sent after the ERROR label, so the parse-error
// path sends them too; every worker pops its empty block and leaves.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { eslOK = 0, eslEOF = 3, eslEFORMAT = 7 };

#define BLOCK_SEQS 4
#define QUEUE_SLOTS 2

typedef struct {
  int count; /* 0: end of input */
  char names[BLOCK_SEQS][16];
} SEQ_BLOCK;

typedef struct {
  pthread_mutex_t mutex;
  pthread_cond_t not_full;
  pthread_cond_t not_empty;
  SEQ_BLOCK slots[QUEUE_SLOTS];
  int head, n;
} WORK_QUEUE;

static void workqueue_Init(WORK_QUEUE *q) {
  pthread_mutex_init(&q->mutex, NULL);
  pthread_cond_init(&q->not_full, NULL);
  pthread_cond_init(&q->not_empty, NULL);
  q->head = q->n = 0;
}

/* The reader hands a filled block over; waits while every slot is taken. */
static void workqueue_ReaderUpdate(WORK_QUEUE *q, const SEQ_BLOCK *block) {
  pthread_mutex_lock(&q->mutex);
  while (q->n == QUEUE_SLOTS)
    pthread_cond_wait(&q->not_full, &q->mutex);
  q->slots[(q->head + q->n) % QUEUE_SLOTS] = *block;
  q->n++;
  pthread_cond_signal(&q->not_empty);
  pthread_mutex_unlock(&q->mutex);
}

/* A worker takes the next block; waits while there is none. */
static void workqueue_WorkerUpdate(WORK_QUEUE *q, SEQ_BLOCK *block) {
  pthread_mutex_lock(&q->mutex);
  while (q->n == 0)
    pthread_cond_wait(&q->not_empty, &q->mutex);
  *block = q->slots[q->head];
  q->head = (q->head + 1) % QUEUE_SLOTS;
  q->n--;
  pthread_cond_signal(&q->not_full);
  pthread_mutex_unlock(&q->mutex);
}

typedef struct {
  WORK_QUEUE *queue;
  long residues;
} WORKER_INFO;

static void *pipeline_thread(void *arg) {
  WORKER_INFO *info = (WORKER_INFO *)arg;
  SEQ_BLOCK block;
  for (;;) {
    workqueue_WorkerUpdate(info->queue, &block);
    if (block.count == 0)
      break; /* the reader's end-of-input block */
    for (int i = 0; i < block.count; i++)
      info->residues += (long)strlen(block.names[i]);
  }
  return NULL;
}

/* A toy sequence file: record 9 has no name line. */
typedef struct {
  int next, total;
  char errbuf[128];
} SQFILE;

static int sqio_ReadBlock(SQFILE *sqfp, SEQ_BLOCK *block) {
  block->count = 0;
  while (block->count < BLOCK_SEQS && sqfp->next < sqfp->total) {
    if (sqfp->next == 9) {
      snprintf(sqfp->errbuf, sizeof sqfp->errbuf,
               "record %d: missing '>' name line", sqfp->next);
      return eslEFORMAT;
    }
    snprintf(block->names[block->count++], 16, "seq%d", sqfp->next++);
  }
  return block->count > 0 ? eslOK : eslEOF;
}

static int thread_loop(WORK_QUEUE *queue, SQFILE *sqfp, int nworkers) {
  int status;
  SEQ_BLOCK block;

  while ((status = sqio_ReadBlock(sqfp, &block)) == eslOK)
    workqueue_ReaderUpdate(queue, &block);
  if (status == eslEFORMAT)
    goto ERROR;
  status = eslOK;

ERROR:
  /* one empty block per worker tells each of them to stop, on every path */
  block.count = 0;
  for (int eofCount = 0; eofCount < nworkers; eofCount++)
    workqueue_ReaderUpdate(queue, &block);
  return status;
}

int main(void) {
  enum { NWORKERS = 3 };
  WORK_QUEUE queue;
  pthread_t threads[NWORKERS];
  WORKER_INFO info[NWORKERS];
  SQFILE sqfp = {0, 40, ""};
  int status;

  workqueue_Init(&queue);
  for (int i = 0; i < NWORKERS; i++) {
    info[i].queue = &queue;
    info[i].residues = 0;
    pthread_create(&threads[i], NULL, pipeline_thread, &info[i]);
  }

  status = thread_loop(&queue, &sqfp, NWORKERS);
  if (status == eslEFORMAT)
    printf("Parse failed (sequence file): %s\n", sqfp.errbuf);

  for (int i = 0; i < NWORKERS; i++)
    pthread_join(threads[i], NULL);
  return 0;
}
