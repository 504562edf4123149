// accuracy-family: stranded-producer
// accuracy-origin: facebook/zstd issue #720 (the reported trigger: a failing output write), contrib/pzstd/Pzstd.cpp writeFile at fix commit f57060928 and at HEAD (the write-error return survived PR #733), utils/WorkQueue.h, utils/ThreadPool.h
// accuracy-shape: queue=cv-hand-written(finish-wakes-pushers,push-returns-false) spawner=home-made-pool(one-thread,joined-in-destructor) producer=helper-2(pool-task-lambda->free-function) consumer=calling-thread(helper-1) exit=return(nested-loop,write-error) wait=destructor
//
// pzstd compressing to an output that fails (a full disk, a broken pipe).
// writeFile already keeps popping after errors raised elsewhere (the PR #733
// loop), but on its own write error it sets the error and returns from inside
// the loop. The reader, ahead of the writer, is blocked pushing the next
// frame's queue into the full queue of queues; nobody pops it again and the
// reader pool's destructor joins the reader forever.
// (Upstream the reader also checks the error holder before each frame, which
// does not help a reader already waiting in push; here it does not check.)
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pzstd {

using Buffer = std::string;

template <typename T> class WorkQueue {
public:
  explicit WorkQueue(std::size_t maxSize = 0) : maxSize_(maxSize) {}

  // Waits while the queue is full; false once finish() was called.
  bool push(T &&item) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      writerCv_.wait(lock, [&] { return done_ || !full(); });
      if (done_)
        return false;
      queue_.push(std::move(item));
    }
    readerCv_.notify_one();
    return true;
  }

  // Waits for an item; false once the queue is finished and empty.
  bool pop(T &item) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      readerCv_.wait(lock, [&] { return done_ || !queue_.empty(); });
      if (queue_.empty())
        return false;
      item = std::move(queue_.front());
      queue_.pop();
    }
    writerCv_.notify_one();
    return true;
  }

  void finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    readerCv_.notify_all();
    writerCv_.notify_all();
    finishCv_.notify_all();
  }

  void waitUntilFinished() {
    std::unique_lock<std::mutex> lock(mutex_);
    finishCv_.wait(lock, [&] { return done_; });
  }

private:
  bool full() const { return maxSize_ != 0 && queue_.size() >= maxSize_; }

  std::mutex mutex_;
  std::condition_variable readerCv_, writerCv_, finishCv_;
  std::queue<T> queue_;
  std::size_t maxSize_;
  bool done_ = false;
};

class BufferWorkQueue {
public:
  void push(Buffer buffer) {
    size_.fetch_add(buffer.size());
    queue_.push(std::move(buffer));
  }
  bool pop(Buffer &buffer) { return queue_.pop(buffer); }
  void finish() { queue_.finish(); }
  // Blocks until finish(): the compressed size of the whole frame.
  std::size_t size() {
    queue_.waitUntilFinished();
    return size_.load();
  }

private:
  WorkQueue<Buffer> queue_;
  std::atomic<std::size_t> size_{0};
};

class ThreadPool {
public:
  explicit ThreadPool(std::size_t numThreads) {
    for (std::size_t i = 0; i < numThreads; ++i)
      threads_.emplace_back([this] {
        std::function<void()> task;
        while (tasks_.pop(task))
          task();
      });
  }
  ~ThreadPool() {
    tasks_.finish();
    for (auto &thread : threads_)
      thread.join();
  }
  void add(std::function<void()> task) { tasks_.push(std::move(task)); }

private:
  std::vector<std::thread> threads_;
  WorkQueue<std::function<void()>> tasks_;
};

class ErrorHolder {
public:
  bool hasError() const { return error_.load(); }
  void setError(std::string message) {
    bool expected = false;
    if (error_.compare_exchange_strong(expected, true))
      message_ = std::move(message);
  }
  std::string getError() {
    error_.store(false);
    return std::move(message_);
  }

private:
  std::atomic<bool> error_{false};
  std::string message_;
};

template <typename F> class ScopeGuard {
public:
  explicit ScopeGuard(F f) : f_(std::move(f)) {}
  ~ScopeGuard() { f_(); }

private:
  F f_;
};

struct SharedState {
  ErrorHolder errorHolder;
};

struct InputFile {
  std::size_t size;
  std::size_t pos = 0;
  bool eof() const { return pos >= size; }
  Buffer read(std::size_t n) {
    std::size_t got = n < size - pos ? n : size - pos;
    pos += got;
    return Buffer(got, 'q');
  }
};
struct OutputFile {
  bool deviceFull = true; // every fwrite fails with ENOSPC
};

static bool writeData(const Buffer &data, OutputFile &fd) {
  return !fd.deviceFull && !data.empty();
}

static void compress(SharedState &state, std::shared_ptr<BufferWorkQueue> in,
                     std::shared_ptr<BufferWorkQueue> out) {
  ScopeGuard guard([&] { out->finish(); });
  Buffer inBuffer;
  while (in->pop(inBuffer) && !state.errorHolder.hasError())
    out->push(Buffer(inBuffer.size() / 3 + 1, 'c'));
}

std::uint64_t asyncCompressChunks(SharedState &state,
                                  WorkQueue<std::shared_ptr<BufferWorkQueue>> &chunks,
                                  ThreadPool &executor, InputFile &fd, std::size_t step) {
  ScopeGuard chunksGuard([&] { chunks.finish(); });
  std::uint64_t bytesRead = 0;
  while (!fd.eof()) {
    auto in = std::make_shared<BufferWorkQueue>();
    ScopeGuard inGuard([&] { in->finish(); });
    auto out = std::make_shared<BufferWorkQueue>();
    executor.add([&state, in, out] { compress(state, in, out); });
    chunks.push(std::move(out)); // accuracy: blocks
    for (std::size_t left = step; left > 0 && !fd.eof();) {
      Buffer buffer = fd.read(left < 8192 ? left : 8192);
      left -= buffer.size();
      bytesRead += buffer.size();
      in->push(std::move(buffer));
    }
  }
  return bytesRead;
}

std::uint64_t writeFile(SharedState &state,
                        WorkQueue<std::shared_ptr<BufferWorkQueue>> &outs,
                        OutputFile &outputFd) {
  auto &errorHolder = state.errorHolder;
  std::uint64_t bytesWritten = 0;
  std::shared_ptr<BufferWorkQueue> out;
  while (outs.pop(out)) {
    if (errorHolder.hasError())
      continue;
    Buffer skippableFrame = "SKIP" + std::to_string(out->size());
    if (!writeData(skippableFrame, outputFd)) {
      errorHolder.setError("Failed to write output");
      return bytesWritten;
    }
    bytesWritten += skippableFrame.size();
    Buffer buffer;
    while (out->pop(buffer) && !errorHolder.hasError()) {
      if (!writeData(buffer, outputFd)) {
        errorHolder.setError("Failed to write output");
        return bytesWritten;
      }
      bytesWritten += buffer.size();
    }
  }
  return bytesWritten;
}

static std::uint64_t handleOneInput(std::size_t numThreads, InputFile &inputFd,
                                    OutputFile &outputFd, SharedState &state) {
  WorkQueue<std::shared_ptr<BufferWorkQueue>> outs{numThreads + 1};
  std::uint64_t bytesWritten = 0;
  {
    ThreadPool executor(numThreads);
    ThreadPool readExecutor(1);
    readExecutor.add([&state, &outs, &executor, &inputFd] {
      asyncCompressChunks(state, outs, executor, inputFd, 1 << 15);
    });
    bytesWritten = writeFile(state, outs, outputFd);
  }
  return bytesWritten;
}

} // namespace pzstd

int main() {
  pzstd::InputFile input{64 << 15};
  pzstd::OutputFile output;
  pzstd::SharedState state;
  pzstd::handleOneInput(2, input, output, state);
  if (state.errorHolder.hasError())
    std::printf("pzstd: big.log: %s.\n", state.errorHolder.getError().c_str());
  return 0;
}
