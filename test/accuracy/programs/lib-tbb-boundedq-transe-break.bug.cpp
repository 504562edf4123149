// accuracy-family: stranded-producer
// accuracy-origin: karmaresearch/trident src/trident/ml/transe.cpp (Transe::train feeding batch_processer through tbb::concurrent_bounded_queue, one NULL batch per worker as end marker), re-expressed with a tbb::task_group
// accuracy-shape: queue=tbb::concurrent_bounded_queue spawner=tbb::task_group producer=calling-thread consumer=task exit=break wait=task_group.wait
// accuracy-flags: -ltbb
//
// An epoch of embedding training: the calling thread reads batches and
// pushes them into a tbb::concurrent_bounded_queue bounded with
// set_capacity; batch processors run as task_group tasks and stop at their
// NULL batch. A processor that meets a diverged batch (NaN gradient)
// records the error and breaks out of its loop without draining. Every
// batch of this epoch diverges, so all processors leave at once and the
// calling thread blocks in push; task_group.wait() is never reached.
#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

struct Batch {
  std::vector<double> gradients;
  unsigned long violations = 0;
};

using BatchQueue = tbb::concurrent_bounded_queue<std::shared_ptr<Batch>>;

struct WorkerStats {
  unsigned long violations = 0;
  unsigned batches = 0;
};

static bool applyGradients(const Batch &batch) {
  for (double g : batch.gradients)
    if (std::isnan(g))
      return false;
  return true;
}

static void batchProcessor(BatchQueue &input, WorkerStats &stats,
                           std::atomic<bool> &diverged) {
  std::shared_ptr<Batch> batch;
  while (true) {
    input.pop(batch);
    if (!batch)
      break; // end of the epoch
    if (!applyGradients(*batch)) {
      diverged = true;
      break;
    }
    stats.violations += batch->violations;
    ++stats.batches;
  }
}

// The learning rate is far too high this epoch: every batch has diverged.
static bool nextBatch(unsigned index, Batch &batch) {
  if (index >= 2000)
    return false;
  batch.gradients.assign(16, std::nan(""));
  batch.violations = index % 3;
  return true;
}

static int trainEpoch(unsigned nthreads) {
  tbb::task_arena arena(static_cast<int>(nthreads) + 1);
  std::atomic<bool> diverged{false};
  std::vector<WorkerStats> stats(nthreads);
  arena.execute([&] {
    BatchQueue input;
    input.set_capacity(2 * nthreads);
    tbb::task_group processors;
    for (unsigned i = 0; i < nthreads; ++i)
      processors.run([&, i] { batchProcessor(input, stats[i], diverged); });

    for (unsigned index = 0;; ++index) {
      auto batch = std::make_shared<Batch>();
      if (!nextBatch(index, *batch))
        break;
      input.push(batch); // accuracy: blocks
    }
    for (unsigned i = 0; i < nthreads; ++i)
      input.push(nullptr);
    processors.wait();
  });
  if (diverged) {
    std::printf("epoch aborted: gradients diverged (NaN)\n");
    return 1;
  }
  unsigned long total = 0;
  for (const auto &s : stats)
    total += s.violations;
  std::printf("epoch done: %lu violations\n", total);
  return 0;
}

int main() {
  const unsigned nthreads = 4; // --threads 4
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                              nthreads + 1);
  trainEpoch(nthreads);
  return 0;
}
