// accuracy-family: stranded-producer
// accuracy-origin: ad-freiburg/qlever issue #3092 (open): src/parser/RdfParser.{h,cpp} RdfParallelParser (parseBatch, feedBatchesToParser, ~RdfParallelParser), src/util/ThreadSafeQueue.h, src/util/TaskQueue.h, read at 8d7945d33 (unchanged at the snapshot's HEAD 1075455fa)
// accuracy-shape: queue=cv-hand-written(ThreadSafeQueue,finish-wakes-pushers,finish-in-own-destructor) spawner=home-made-pool(TaskQueue,bounded-task-queue,finish-joins) producer=member-function(pool-task) consumer=calling-thread(member-getBatch) exit=throw(consumer-first-write) wait=destructor(owner-joins-pool-before-finishing-queue)
//
// The parallel Turtle parser: a feeder (std::async) cuts the input into
// blocks and pushes one task per block into a TaskQueue; its worker threads
// parse a block and push the triples, batch by batch, into the bounded
// tripleCollector_, which getBatch() pops. The index builder takes the first
// batch, then its first write throws (an unwritable directory). Unwinding
// destroys the parser: its destructor finishes the TaskQueue first, which
// joins the workers, and they wait in push() on the full collector. The
// finish() of the collector (and its own destructor, which finishes it too)
// comes after the join and never runs.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ad_utility {
namespace data_structures {

template <typename T> class ThreadSafeQueue {
public:
  explicit ThreadSafeQueue(size_t maxSize) : maxSize_{maxSize} {}
  // Blocks until there is room or finish() was called; false in the latter
  // case, and the value is dropped.
  bool push(T value) {
    std::unique_lock lock{mutex_};
    popNotification_.wait(lock, [this] { return queue_.size() < maxSize_ || finish_; });
    if (finish_)
      return false;
    queue_.push(std::move(value));
    lock.unlock();
    pushNotification_.notify_one();
    return true;
  }
  // Called by producers (no more elements) or by consumers (no more pops).
  void finish() noexcept {
    std::unique_lock lock{mutex_};
    finish_ = true;
    lock.unlock();
    pushNotification_.notify_all();
    popNotification_.notify_all();
  }
  // So that consumers never wait forever if a producer forgot to finish.
  ~ThreadSafeQueue() { finish(); }
  std::optional<T> pop() {
    std::unique_lock lock{mutex_};
    pushNotification_.wait(lock, [this] { return !queue_.empty() || finish_; });
    if (finish_ && queue_.empty())
      return std::nullopt;
    std::optional<T> value = std::move(queue_.front());
    queue_.pop();
    lock.unlock();
    popNotification_.notify_one();
    return value;
  }

private:
  std::queue<T> queue_;
  std::mutex mutex_;
  std::condition_variable pushNotification_, popNotification_;
  bool finish_ = false;
  size_t maxSize_;
};

} // namespace data_structures

// A pool that runs the pushed tasks. finish() (or the destructor) blocks until
// every task pushed so far has run, then joins the threads.
class TaskQueue {
public:
  using Task = std::function<void()>;
  TaskQueue(size_t maxQueueSize, size_t numThreads) : queuedTasks_{maxQueueSize} {
    for (size_t i = 0; i < numThreads; ++i)
      threads_.emplace_back([this] {
        while (auto task = queuedTasks_.pop())
          (*task)();
      });
  }
  bool push(Task t) { return queuedTasks_.push(std::move(t)); }
  void finish() {
    if (startedFinishing_.test_and_set())
      return;
    queuedTasks_.finish();
    for (auto &thread : threads_)
      thread.join();
    finishedFinishing_.test_and_set();
    finishedFinishing_.notify_all();
  }
  ~TaskQueue() {
    finish();
    finishedFinishing_.wait(false);
  }

private:
  std::atomic_flag startedFinishing_;
  std::atomic_flag finishedFinishing_;
  data_structures::ThreadSafeQueue<Task> queuedTasks_;
  std::vector<std::thread> threads_;
};

} // namespace ad_utility

using TurtleTriple = std::string;
constexpr size_t QUEUE_SIZE_BEFORE_PARALLEL_PARSING = 2;
constexpr size_t QUEUE_SIZE_AFTER_PARALLEL_PARSING = 2;
constexpr size_t NUM_PARALLEL_PARSER_THREADS = 2;
constexpr size_t TRIPLES_PER_BATCH = 8;

class RdfParallelParser {
public:
  explicit RdfParallelParser(std::vector<std::string> blocks) : blocks_{std::move(blocks)} {
    parseFuture_ = std::async(std::launch::async, [this] { feedBatchesToParser(); });
  }
  std::optional<std::vector<TurtleTriple>> getBatch() { return tripleCollector_.pop(); }
  ~RdfParallelParser() {
    parallelParser_.finish();
    tripleCollector_.finish();
    parseFuture_.wait();
  }

private:
  // The collector is finished once every block (and the feeder) is done.
  void finishTripleCollectorIfLastBatch() {
    if (batchIdx_.fetch_add(1) == numBatchesTotal_)
      tripleCollector_.finish();
  }
  void parseBatch(std::string block) {
    std::vector<TurtleTriple> triples;
    for (size_t pos = 0; pos < block.size();) {
      size_t dot = block.find(" .\n", pos);
      triples.push_back(block.substr(pos, dot - pos));
      pos = dot + 3;
      if (triples.size() == TRIPLES_PER_BATCH) {
        tripleCollector_.push(std::move(triples)); // accuracy: blocks
        triples.clear();
      }
    }
    if (!triples.empty())
      tripleCollector_.push(std::move(triples));
    finishTripleCollectorIfLastBatch();
  }
  void feedBatchesToParser() {
    for (auto &block : blocks_) {
      numBatchesTotal_.fetch_add(1);
      if (!parallelParser_.push([this, &block] { parseBatch(block); }))
        break;
    }
    parallelParser_.push([this] { finishTripleCollectorIfLastBatch(); });
    parallelParser_.finish();
  }

  std::vector<std::string> blocks_;
  std::atomic<size_t> batchIdx_ = 0;
  std::atomic<size_t> numBatchesTotal_ = 0;
  // Last, so that the threads are gone before the members they use.
  ad_utility::data_structures::ThreadSafeQueue<std::vector<TurtleTriple>> tripleCollector_{
      QUEUE_SIZE_AFTER_PARALLEL_PARSING};
  ad_utility::TaskQueue parallelParser_{QUEUE_SIZE_BEFORE_PARALLEL_PARSING,
                                        NUM_PARALLEL_PARSER_THREADS};
  std::future<void> parseFuture_;
};

struct PartialVocabularyWriter {
  std::string path;
  void write(const std::vector<TurtleTriple> &) {
    throw std::runtime_error("Could not open file \"" + path +
                             "\" for writing: Permission denied");
  }
};

void buildPartialVocabularies(RdfParallelParser &parser, const std::string &base) {
  PartialVocabularyWriter writer{base + ".partial-vocabulary.0"};
  while (auto batch = parser.getBatch())
    writer.write(*batch);
}

int main() {
  std::vector<std::string> blocks;
  for (int b = 0; b < 32; ++b) {
    std::string block;
    for (int t = 0; t < 40; ++t)
      block += "<s" + std::to_string(b * 40 + t) + "> <p> \"o\" .\n";
    blocks.push_back(block);
  }
  try {
    auto parser = std::make_unique<RdfParallelParser>(std::move(blocks));
    buildPartialVocabularies(*parser, "olympics");
  } catch (const std::exception &e) {
    std::printf("ERROR: Creating the index for QLever failed with the following exception: %s\n",
                e.what());
  }
  return 0;
}
