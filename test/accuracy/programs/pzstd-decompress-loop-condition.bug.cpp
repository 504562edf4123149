// accuracy-family: stranded-producer
// accuracy-origin: facebook/zstd issue #720, PR #733, fix commit f57060928 (contrib/pzstd/Pzstd.cpp handleOneInput/asyncDecompressFrames/writeFile, utils/WorkQueue.h, utils/ThreadPool.h read at f57060928^)
// accuracy-shape: queue=cv-hand-written(finish-wakes-pushers,push-returns-false) spawner=home-made-pool(one-thread,joined-in-destructor) producer=helper-2(pool-task-lambda->free-function) consumer=calling-thread(helper-1) exit=loop-condition(shared-error-holder) wait=destructor
//
// pzstd -d: a one-thread reader pool splits the input into frames, starts one
// decompression job per frame on a second pool and hands each job's output
// queue to the writer through a bounded queue of queues. The writer is called
// by the function that owns the pools; its loop stops popping as soon as the
// shared error holder reports an error (the first frame is corrupt). The
// reader then blocks pushing the next frame, and ~ThreadPool joins it.
// (Upstream the reader also checks the error holder before each frame, which
// only narrows the window; it is left out here so the hang is certain.)
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

// Optionally bounded. push() waits while full; finish() promises that no more
// pushes come and wakes both sides: pop() drains what is left, then returns
// false; a push() woken by (or after) finish() returns false.
template <typename T> class WorkQueue {
public:
  explicit WorkQueue(std::size_t maxSize = 0) : maxSize_(maxSize) {}

  bool push(T &&item) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      writerCv_.wait(lock, [&] { return done_ || !full(); });
      if (done_)
        return false;
      items_.push(std::move(item));
    }
    readerCv_.notify_one();
    return true;
  }

  bool pop(T &item) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      readerCv_.wait(lock, [&] { return done_ || !items_.empty(); });
      if (items_.empty())
        return false;
      item = std::move(items_.front());
      items_.pop();
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
  }

private:
  bool full() const { return maxSize_ != 0 && items_.size() >= maxSize_; }

  std::mutex mutex_;
  std::condition_variable readerCv_, writerCv_;
  std::queue<T> items_;
  std::size_t maxSize_;
  bool done_ = false;
};

using BufferWorkQueue = WorkQueue<Buffer>;

// Threads start in the constructor; the destructor finishes the task queue
// and joins them, so it waits for every task that was added.
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
  bool check(bool predicate, std::string message) {
    if (!predicate)
      setError(std::move(message));
    return !hasError();
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

// Stands for the FILE* pzstd reads from and writes to.
struct InputFile {
  std::string bytes;
  std::size_t pos = 0;
  Buffer read(std::size_t n) {
    Buffer piece = bytes.substr(pos, n);
    pos += piece.size();
    return piece;
  }
  bool eof() const { return pos >= bytes.size(); }
};
struct OutputFile {
  std::string written;
};

const Buffer kFrameMagic = "ZST1";
constexpr std::size_t kChunkSize = 64;

static void decompress(SharedState &state, std::shared_ptr<BufferWorkQueue> in,
                       std::shared_ptr<BufferWorkQueue> out) {
  auto &errorHolder = state.errorHolder;
  ScopeGuard guard([&] { out->finish(); });
  Buffer inBuffer;
  bool headerSeen = false;
  while (in->pop(inBuffer) && !errorHolder.hasError()) {
    if (!headerSeen) {
      if (!errorHolder.check(inBuffer.compare(0, 4, kFrameMagic) == 0,
                             "Unknown frame descriptor"))
        return;
      inBuffer.erase(0, 4);
      headerSeen = true;
    }
    Buffer decoded;
    for (char c : inBuffer)
      decoded.push_back(static_cast<char>(c ^ 0x5a));
    out->push(std::move(decoded));
  }
}

// The reader: per frame, start a job and hand its output queue to the writer.
std::uint64_t asyncDecompressFrames(SharedState &state,
                                    WorkQueue<std::shared_ptr<BufferWorkQueue>> &frames,
                                    ThreadPool &executor, InputFile &fd) {
  ScopeGuard framesGuard([&] { frames.finish(); });
  std::uint64_t totalBytesRead = 0;
  while (!fd.eof()) {
    auto in = std::make_shared<BufferWorkQueue>();
    ScopeGuard inGuard([&] { in->finish(); });
    auto out = std::make_shared<BufferWorkQueue>();
    Buffer header = fd.read(4); // our skippable frame: the frame's size
    std::size_t frameSize = std::stoul(header, nullptr, 16);
    totalBytesRead += header.size();
    executor.add([&state, in, out] { decompress(state, in, out); });
    frames.push(std::move(out)); // accuracy: blocks
    for (std::size_t left = frameSize; left > 0;) {
      Buffer chunk = fd.read(left < kChunkSize ? left : kChunkSize);
      left -= chunk.size();
      totalBytesRead += chunk.size();
      in->push(std::move(chunk));
    }
  }
  return totalBytesRead;
}

std::uint64_t writeFile(SharedState &state,
                        WorkQueue<std::shared_ptr<BufferWorkQueue>> &outs,
                        OutputFile &outputFd) {
  auto &errorHolder = state.errorHolder;
  std::uint64_t bytesWritten = 0;
  std::shared_ptr<BufferWorkQueue> out;
  while (outs.pop(out) && !errorHolder.hasError()) {
    Buffer buffer;
    while (out->pop(buffer) && !errorHolder.hasError()) {
      outputFd.written += buffer;
      bytesWritten += buffer.size();
    }
  }
  return bytesWritten;
}

static std::uint64_t handleOneInput(std::size_t numThreads, InputFile &inputFd,
                                    OutputFile &outputFd, SharedState &state) {
  // The queue outlives the pools: no push can reach a destroyed queue.
  WorkQueue<std::shared_ptr<BufferWorkQueue>> outs{numThreads + 1};
  std::uint64_t bytesRead = 0;
  std::uint64_t bytesWritten = 0;
  {
    ThreadPool executor(numThreads);
    ThreadPool readExecutor(1);
    readExecutor.add([&state, &outs, &executor, &inputFd, &bytesRead] {
      bytesRead = asyncDecompressFrames(state, outs, executor, inputFd);
    });
    bytesWritten = writeFile(state, outs, outputFd);
  }
  (void)bytesRead;
  return bytesWritten;
}

} // namespace pzstd

int main() {
  pzstd::InputFile input;
  for (int frame = 0; frame < 64; ++frame) {
    // The first frame was damaged in transit.
    std::string payload = (frame == 0 ? "\x13\x37!!" : pzstd::kFrameMagic) +
                          std::string(252, static_cast<char>('a' ^ 0x5a));
    char header[5];
    std::snprintf(header, sizeof header, "%04zx", payload.size());
    input.bytes += header + payload;
  }
  pzstd::OutputFile output;
  pzstd::SharedState state;
  pzstd::handleOneInput(2, input, output, state);
  if (state.errorHolder.hasError())
    std::printf("pzstd: input.zst: %s.\n", state.errorHolder.getError().c_str());
  return 0;
}
