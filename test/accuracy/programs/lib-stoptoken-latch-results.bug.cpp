// accuracy-family: join-before-drain
// accuracy-origin: jonatanjacobsson/ifcpipeline PRs #24/#28 (join before drain of a bounded queue) re-expressed in C++ with the stop_token wait of sansajn/test c++/thread/jthread_with_condition_variable.cpp (condition_variable_any::wait(lock, stop_token, pred)); the queue takes the application's shutdown token in its constructor
// accuracy-shape: queue=cv-any-stop-token spawner=boost::thread_group producer=thread-lambda consumer=calling-thread exit=none wait=latch
// accuracy-flags: -lboost_thread
//
// A parallel log scanner: four boost::thread_group workers scan their share
// of the log chunks and push one result per chunk into a bounded queue whose
// waits observe the application's shutdown token; each worker counts down a
// std::latch when it has pushed its last result. The parent waits on the
// latch first and drains the results only afterwards. The queue holds 8
// results and the workers have 100 to push: they block in push, never count
// down, and the parent sits in latch.wait() forever.
#include <boost/thread/thread.hpp>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <latch>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

template <class T> class ShutdownAwareQueue {
public:
  ShutdownAwareQueue(std::size_t capacity, std::stop_token shutdown)
      : capacity_(capacity), shutdown_(std::move(shutdown)) {}

  bool push(T value) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!notFull_.wait(lock, shutdown_, [&] { return items_.size() < capacity_; }))
      return false;
    items_.push_back(std::move(value));
    notEmpty_.notify_one();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!notEmpty_.wait(lock, shutdown_, [&] { return !items_.empty(); }))
      return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    notFull_.notify_one();
    return value;
  }

private:
  std::mutex mutex_;
  std::condition_variable_any notFull_, notEmpty_;
  std::deque<T> items_;
  std::size_t capacity_;
  std::stop_token shutdown_;
};

struct ChunkResult {
  int chunk;
  int errors;
};

static ChunkResult scanChunk(int chunk) {
  int errors = 0;
  for (int line = 0; line < 1000; ++line)
    if ((chunk * 1000 + line) % 97 == 0)
      ++errors;
  return {chunk, errors};
}

int main() {
  constexpr int kWorkers = 4;
  constexpr int kChunks = 100;
  std::stop_source shutdown; // SIGTERM handler would request it
  ShutdownAwareQueue<ChunkResult> results(8, shutdown.get_token());
  std::latch scanned(kWorkers);

  boost::thread_group workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.create_thread([&, w] {
      for (int chunk = w; chunk < kChunks; chunk += kWorkers)
        if (!results.push(scanChunk(chunk)))
          break;
      scanned.count_down();
    });

  scanned.wait(); // accuracy: blocks
  long errors = 0;
  for (int i = 0; i < kChunks; ++i)
    if (std::optional<ChunkResult> r = results.pop())
      errors += r->errors;
  workers.join_all();

  std::printf("scanned %d chunks: %ld error lines\n", kChunks, errors);
  return 0;
}
