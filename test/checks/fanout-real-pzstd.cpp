// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// The shape of a real bug: facebook/zstd issue #720 (pzstd hangs after an
// error), fixed by PR #733. A reader task on a hand-written pool pushes one
// chunk after another into a bounded results queue (room for numThreads + 1
// chunks); the calling thread writes them out while it pops. The writer's
// pop loop also stops when an error has been recorded. Once it does, the
// reader blocks in push on the full queue, and the pool's destructor, at
// the end of the scope, joins it forever. The fix keeps popping after the
// error, skipping the work, until the reader finishes the queue.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace fz {

// Bounded when given a capacity, unbounded with 0. push() waits for room,
// pop() for an item; finish() wakes both, and push() reports it.
template <typename T> class BlockingChannel {
public:
  explicit BlockingChannel(std::size_t capacity = 0) : capacity_(capacity) {}

  bool push(T &&item) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (atCapacity() && !finished_)
        hasRoom_.wait(lock);
      if (finished_)
        return false;
      items_.push(std::move(item));
    }
    hasItem_.notify_one();
    return true;
  }

  bool pop(T &item) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (items_.empty() && !finished_)
        hasItem_.wait(lock);
      if (items_.empty())
        return false;
      item = std::move(items_.front());
      items_.pop();
    }
    hasRoom_.notify_one();
    return true;
  }

  void finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ = true;
    }
    hasItem_.notify_all();
    hasRoom_.notify_all();
  }

private:
  bool atCapacity() const {
    return capacity_ != 0 && items_.size() >= capacity_;
  }

  std::mutex mu_;
  std::condition_variable hasItem_;
  std::condition_variable hasRoom_;
  std::queue<T> items_;
  std::size_t capacity_;
  bool finished_ = false;
};

// Runs tasks in FIFO order on threads started here; the destructor lets
// the queued tasks finish and joins the threads.
class TaskRunner {
public:
  explicit TaskRunner(std::size_t threads) {
    crew_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
      crew_.emplace_back([this] {
        std::function<void()> task;
        while (pending_.pop(task))
          task();
      });
  }
  ~TaskRunner() {
    pending_.finish();
    for (auto &t : crew_)
      t.join();
  }
  void add(std::function<void()> task) { pending_.push(std::move(task)); }

private:
  std::vector<std::thread> crew_;
  BlockingChannel<std::function<void()>> pending_;
};

// The first error wins; any thread may record or test it.
class FailureNote {
public:
  bool hasError() const { return failed_.load(); }
  void setError(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.exchange(true))
      what_ = std::move(what);
  }

private:
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::string what_;
};

using Chunks = BlockingChannel<std::string>;

constexpr std::size_t kChunkSize = 1 << 16;

// Finishes the queue on every way out of the reader.
struct FinishWhenDone {
  Chunks &chunks;
  ~FinishWhenDone() { chunks.finish(); }
};

// The producer: one push per chunk of the input, until it ends or an
// error is recorded.
std::uint64_t splitInput(FailureNote &errors, Chunks &outs, std::FILE *in) {
  FinishWhenDone done{outs};
  std::uint64_t bytesRead = 0;
  while (!errors.hasError()) {
    std::string chunk(kChunkSize, '\0');
    std::size_t got = std::fread(chunk.data(), 1, chunk.size(), in);
    if (got == 0) {
      if (std::ferror(in))
        errors.setError("read failed");
      break;
    }
    chunk.resize(got);
    bytesRead += got;
    outs.push(std::move(chunk));
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: producer can block forever in 'push' on bounded queue 'outs' (Chunks, capacity numThreads + 1): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
  }
  return bytesRead;
}

} // namespace fz

namespace buggy {
using namespace fz;

// Wrong: the loop condition leaves as soon as an error is recorded.
std::uint64_t emitChunks(FailureNote &errors, Chunks &outs, std::FILE *out) {
  std::uint64_t bytesWritten = 0;
  std::string chunk;
  while (outs.pop(chunk) && !errors.hasError()) {
    // CHECK-MESSAGES: :[[@LINE-1]]:29: note: consumer's loop condition ends the pop loop here before 'outs' is closed
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      errors.setError("write failed");
      continue;
    }
    bytesWritten += chunk.size();
  }
  return bytesWritten;
}

std::uint64_t copyOne(FailureNote &errors, std::FILE *in, std::FILE *out,
                      std::size_t numThreads) {
  Chunks outs{numThreads + 1};
  std::uint64_t bytesRead = 0;
  std::uint64_t bytesWritten = 0;
  {
    TaskRunner reader(1);
    reader.add([&] { bytesRead = splitInput(errors, outs, in); });
    bytesWritten = emitChunks(errors, outs, out);
    // CHECK-MESSAGES: :[[@LINE-1]]:20: note: the consumer stops popping 'outs' when 'emitChunks' returns early here
  }
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: the producer is waited for here, at the end of its handle's scope; this never returns once it is stuck
  if (!errors.hasError())
    std::fprintf(stderr, "%llu => %llu bytes\n",
                 static_cast<unsigned long long>(bytesRead),
                 static_cast<unsigned long long>(bytesWritten));
  return bytesWritten;
}

} // namespace buggy

namespace fixed {
using namespace fz;

// Correct: after an error the writer still pops every chunk, writing none,
// until the reader finishes the queue.
std::uint64_t emitChunks(FailureNote &errors, Chunks &outs, std::FILE *out) {
  std::uint64_t bytesWritten = 0;
  std::string chunk;
  while (outs.pop(chunk)) {
    if (errors.hasError())
      continue;
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      errors.setError("write failed");
      continue;
    }
    bytesWritten += chunk.size();
  }
  return bytesWritten;
}

std::uint64_t copyOne(FailureNote &errors, std::FILE *in, std::FILE *out,
                      std::size_t numThreads) {
  Chunks outs{numThreads + 1};
  std::uint64_t bytesRead = 0;
  std::uint64_t bytesWritten = 0;
  {
    TaskRunner reader(1);
    reader.add([&] { bytesRead = splitInput(errors, outs, in); });
    bytesWritten = emitChunks(errors, outs, out);
  }
  if (!errors.hasError())
    std::fprintf(stderr, "%llu => %llu bytes\n",
                 static_cast<unsigned long long>(bytesRead),
                 static_cast<unsigned long long>(bytesWritten));
  return bytesWritten;
}

} // namespace fixed

int main() {
  fz::FailureNote first, second;
  buggy::copyOne(first, stdin, stdout, 4);
  fixed::copyOne(second, stdin, stdout, 4);
}
