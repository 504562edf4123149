// accuracy-family: stranded-producer
// accuracy-origin: facebook/zstd issue #720, PR #733, fix commit f57060928 (contrib/pzstd/Pzstd.cpp compress/asyncCompressChunks/writeFile, utils/WorkQueue.h BufferWorkQueue, utils/ThreadPool.h read at f57060928^)
// accuracy-shape: queue=cv-hand-written(close-wakes-pushers,put-returns-false) spawner=home-made-pool(one-thread,joined-in-destructor) producer=helper-2(pool-task-lambda->free-function) consumer=calling-thread(helper-1) exit=loop-condition(shared-error-holder,set-by-pool-job) wait=destructor
//
// pzstd compressing: the reader cuts the input into frames, submits one
// compression job per frame and hands the job's output queue to the writer
// through a bounded queue of queues. Every compression job fails to get a
// compression context and records it in the shared error holder; the writer's
// loop condition sees the error and stops taking queues; the reader blocks in
// put() and the reader pool's destructor waits for it forever.
// (Upstream the reader also checks the error holder before each frame, which
// only narrows the window; it is left out here so the hang is certain.)
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pz {

using Bytes = std::string;

template <typename T> class JobQueue {
public:
  explicit JobQueue(std::size_t capacity = 0) : capacity_(capacity) {}
  bool put(T &&value) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!closed_ && capacity_ != 0 && items_.size() >= capacity_)
      notFull_.wait(lock);
    if (closed_)
      return false;
    items_.push_back(std::move(value));
    notEmpty_.notify_one();
    return true;
  }
  bool take(T &value) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!closed_ && items_.empty())
      notEmpty_.wait(lock);
    if (items_.empty())
      return false;
    value = std::move(items_.front());
    items_.pop_front();
    notFull_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    notFull_.notify_all();
    notEmpty_.notify_all();
    closedCv_.notify_all();
  }
  void awaitClosed() {
    std::unique_lock<std::mutex> lock(mu_);
    closedCv_.wait(lock, [&] { return closed_; });
  }

private:
  std::mutex mu_;
  std::condition_variable notFull_, notEmpty_, closedCv_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

// A frame's compressed pieces; totalSize() waits until the job closed it.
class FrameQueue {
public:
  void put(Bytes piece) {
    bytes_ += piece.size();
    pieces_.put(std::move(piece));
  }
  bool take(Bytes &piece) { return pieces_.take(piece); }
  void close() { pieces_.close(); }
  std::size_t totalSize() {
    pieces_.awaitClosed();
    return bytes_.load();
  }

private:
  JobQueue<Bytes> pieces_;
  std::atomic<std::size_t> bytes_{0};
};

class Executor {
public:
  explicit Executor(std::size_t workers) {
    for (std::size_t i = 0; i < workers; ++i)
      workers_.emplace_back([this] {
        std::function<void()> job;
        while (jobs_.take(job))
          job();
      });
  }
  ~Executor() {
    jobs_.close();
    for (auto &worker : workers_)
      worker.join();
  }
  void submit(std::function<void()> job) { jobs_.put(std::move(job)); }

private:
  std::vector<std::thread> workers_;
  JobQueue<std::function<void()>> jobs_;
};

class ErrorHolder {
public:
  bool hasError() const { return failed_.load(); }
  bool check(bool ok, const char *what) {
    bool expected = false;
    if (!ok && failed_.compare_exchange_strong(expected, true))
      message_ = what;
    return !hasError();
  }
  std::string message() const { return message_; }

private:
  std::atomic<bool> failed_{false};
  std::string message_;
};

template <typename F> struct OnExit {
  F f;
  ~OnExit() { f(); }
};
template <typename F> OnExit(F) -> OnExit<F>;

// Compression contexts come from a pool sized by the memory limit.
struct ContextPool {
  std::size_t memoryLimit;
  std::size_t contextSize;
  std::unique_ptr<int> get() const {
    return memoryLimit < contextSize ? nullptr : std::make_unique<int>(0);
  }
};

struct SharedState {
  ErrorHolder errors;
  ContextPool contexts;
};

struct Source { // the input file
  std::size_t size;
  std::size_t offset = 0;
  Bytes read(std::size_t n) {
    std::size_t got = n < size - offset ? n : size - offset;
    offset += got;
    return Bytes(got, 'x');
  }
  bool atEnd() const { return offset == size; }
};
struct Sink { // the output file
  std::size_t bytes = 0;
};

static void compressFrame(SharedState &state, std::shared_ptr<FrameQueue> in,
                          std::shared_ptr<FrameQueue> out) {
  OnExit finishOut{[&] { out->close(); }};
  auto context = state.contexts.get();
  if (!state.errors.check(context != nullptr, "Failed to allocate ZSTD_CStream"))
    return;
  Bytes piece;
  while (in->take(piece) && !state.errors.hasError())
    out->put(Bytes(piece.size() / 4 + 1, 'z'));
}

std::uint64_t asyncCompressChunks(SharedState &state,
                                  JobQueue<std::shared_ptr<FrameQueue>> &chunks,
                                  Executor &executor, Source &fd, std::size_t step) {
  OnExit finishChunks{[&] { chunks.close(); }};
  std::uint64_t bytesRead = 0;
  while (!fd.atEnd()) {
    auto in = std::make_shared<FrameQueue>();
    OnExit finishIn{[&] { in->close(); }};
    auto out = std::make_shared<FrameQueue>();
    executor.submit([&state, in, out] { compressFrame(state, in, out); });
    chunks.put(std::move(out)); // accuracy: blocks
    for (std::size_t left = step; left > 0 && !fd.atEnd();) {
      Bytes piece = fd.read(left < 4096 ? left : 4096);
      left -= piece.size();
      bytesRead += piece.size();
      in->put(std::move(piece));
    }
  }
  return bytesRead;
}

std::uint64_t writeFile(SharedState &state, JobQueue<std::shared_ptr<FrameQueue>> &outs,
                        Sink &outputFd) {
  std::uint64_t bytesWritten = 0;
  std::shared_ptr<FrameQueue> out;
  while (outs.take(out) && !state.errors.hasError()) {
    // The skippable frame in front of each frame records its size.
    std::size_t frameSize = out->totalSize();
    outputFd.bytes += 8;
    bytesWritten += 8 + frameSize;
    Bytes piece;
    while (out->take(piece) && !state.errors.hasError())
      outputFd.bytes += piece.size();
  }
  return bytesWritten;
}

static void handleOneInput(SharedState &state, Source &inputFd, Sink &outputFd,
                           std::size_t numThreads) {
  JobQueue<std::shared_ptr<FrameQueue>> outs{numThreads + 1};
  {
    Executor executor(numThreads);
    Executor readExecutor(1);
    readExecutor.submit([&state, &outs, &executor, &inputFd] {
      asyncCompressChunks(state, outs, executor, inputFd, 1 << 16);
    });
    writeFile(state, outs, outputFd);
  }
}

} // namespace pz

int main() {
  // -p 2 with a memory limit below the size of one compression context.
  pz::SharedState state{{}, pz::ContextPool{1 << 20, 8 << 20}};
  pz::Source input{64 << 16};
  pz::Sink output;
  pz::handleOneInput(state, input, output, 2);
  if (state.errors.hasError())
    std::printf("pzstd: big.log: %s.\n", state.errors.message().c_str());
  return 0;
}
