// accuracy-family: stranded-producer
// accuracy-origin: ClickHouse PR #45448 (issues #21831, #26688): src/Processors/Executors/PullingAsyncPipelineExecutor.cpp cancel()/~Data, src/Processors/Formats/LazyOutputFormat.h, src/Common/ConcurrentBoundedQueue.h, read at the pre-fix revision
// accuracy-shape: fix=exception-safe-cancel queue=cv-hand-written(ConcurrentBoundedQueue,emplace-returns-false-once-finished,timed-pop) spawner=global-pool(ThreadFromGlobalPool) producer=member-function(LazyOutputFormat::consume,two-calls-down) consumer=calling-thread(pull-with-timeout) exit=throw(from-explicit-cancel,before-finish,again-in-destructor) wait=destructor(member-unique_ptr-joins)
//
// A TCP handler pulls a distributed query's result through a
// PullingAsyncPipelineExecutor, polling with the interactive delay so it can
// notice a Cancel packet from the client; a pool thread runs the pipeline,
// whose LazyOutputFormat emplaces chunks into a queue of two. The client
// cancels after the first block and the handler calls executor.cancel(). The
// remote source's cancel throws (the replica reset the connection) before the
// lazy format is finished; the exception leaves the handler, the executor's
// destructor cancels again, throws again, swallows it, and ~Data joins the
// pipeline thread that waits in emplace() forever.
// The upstream fix (PR #45448): cancel() catches the exception of the
// executor's cancel, keeps it, still finishes the lazy format and joins, then
// rethrows it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace DB {

struct Exception : std::runtime_error {
  int code;
  Exception(int code_, const std::string &message) : std::runtime_error(message), code(code_) {}
};

void tryLogCurrentException(const char *where) {
  try {
    throw;
  } catch (const Exception &e) {
    std::printf("%s: Code: %d. %s\n", where, e.code, e.what());
  }
}

template <typename T> class ConcurrentBoundedQueue {
public:
  explicit ConcurrentBoundedQueue(size_t max_fill_) : max_fill(max_fill_) {}

  /// Returns false if the queue is finished.
  template <typename... Args> [[nodiscard]] bool emplace(Args &&...args) {
    {
      std::unique_lock lock(queue_mutex);
      push_condition.wait(lock, [&] { return is_finished || queue.size() < max_fill; });
      if (is_finished)
        return false;
      queue.emplace_back(std::forward<Args>(args)...);
    }
    pop_condition.notify_one();
    return true;
  }
  /// Returns false if the queue is finished and empty.
  [[nodiscard]] bool pop(T &x) {
    {
      std::unique_lock lock(queue_mutex);
      pop_condition.wait(lock, [&] { return is_finished || !queue.empty(); });
      if (queue.empty())
        return false;
      x = std::move(queue.front());
      queue.pop_front();
    }
    push_condition.notify_one();
    return true;
  }
  /// Returns false if the queue is finished and empty, or on timeout.
  [[nodiscard]] bool tryPop(T &x, unsigned long milliseconds) {
    {
      std::unique_lock lock(queue_mutex);
      if (!pop_condition.wait_for(lock, std::chrono::milliseconds(milliseconds),
                                  [&] { return is_finished || !queue.empty(); }))
        return false;
      if (queue.empty())
        return false;
      x = std::move(queue.front());
      queue.pop_front();
    }
    push_condition.notify_one();
    return true;
  }
  /// Returns true if the queue was already finished.
  bool finish() {
    {
      std::lock_guard lock(queue_mutex);
      if (is_finished)
        return true;
      is_finished = true;
    }
    pop_condition.notify_all();
    push_condition.notify_all();
    return false;
  }
  bool isFinishedAndEmpty() const {
    std::lock_guard lock(queue_mutex);
    return is_finished && queue.empty();
  }

private:
  std::deque<T> queue;
  mutable std::mutex queue_mutex;
  std::condition_variable push_condition, pop_condition;
  bool is_finished = false;
  size_t max_fill;
};

struct Chunk {
  std::vector<unsigned long> rows;
  explicit operator bool() const { return !rows.empty(); }
};

class IProcessor {
public:
  virtual ~IProcessor() = default;
  void cancel() { onCancel(); is_cancelled = true; }
protected:
  virtual void onCancel() {}
  std::atomic<bool> is_cancelled{false};
};

/// The connections to the shard's replicas.
struct MultiplexedConnections {
  bool reset_by_peer = true;
  void sendCancel() {
    if (reset_by_peer)
      throw Exception(210, "DB::NetException: Connection reset by peer, while writing to socket (s4.ch:9000)");
  }
};

class RemoteSource : public IProcessor {
public:
  bool generate(Chunk &chunk) {
    if (next_row >= 64 * 1024)
      return false;
    chunk.rows.clear();
    for (int i = 0; i < 1024; ++i)
      chunk.rows.push_back(next_row++);
    return true;
  }
protected:
  void onCancel() override { connections.sendCancel(); }
private:
  MultiplexedConnections connections;
  unsigned long next_row = 0;
};

class LazyOutputFormat : public IProcessor {
public:
  LazyOutputFormat() : queue(2) {}
  Chunk getChunk(unsigned long milliseconds = 0) {
    Chunk chunk;
    if (milliseconds) {
      if (!queue.tryPop(chunk, milliseconds))
        return {};
    } else if (!queue.pop(chunk)) {
      return {};
    }
    return chunk;
  }
  bool isFinished() { return queue.isFinishedAndEmpty(); }
  void finish() { queue.finish(); }
  void finalize() { queue.finish(); }
  void consume(Chunk chunk) { (void)(queue.emplace(std::move(chunk))); }
protected:
  void onCancel() override { finish(); }
private:
  ConcurrentBoundedQueue<Chunk> queue;
};

class PipelineExecutor {
public:
  PipelineExecutor(std::shared_ptr<RemoteSource> source_, std::shared_ptr<LazyOutputFormat> format_)
      : source(std::move(source_)), format(std::move(format_)), processors{source, format} {}
  void execute() {
    Chunk chunk;
    while (!cancelled && source->generate(chunk))
      format->consume(std::move(chunk));
    format->finalize();
  }
  /// Tell every processor (remote replicas first), then stop our own loop.
  void cancel() {
    for (auto &processor : processors)
      processor->cancel();
    cancelled = true;
  }
private:
  std::shared_ptr<RemoteSource> source;
  std::shared_ptr<LazyOutputFormat> format;
  std::vector<std::shared_ptr<IProcessor>> processors;
  std::atomic<bool> cancelled{false};
};

/// The server-wide pool; its threads live until the process exits.
class GlobalThreadPool {
public:
  static GlobalThreadPool &instance() {
    static GlobalThreadPool pool(4);
    return pool;
  }
  void scheduleOrThrow(std::function<void()> job) {
    {
      std::lock_guard lock(mutex);
      jobs.push_back(std::move(job));
    }
    new_job_or_shutdown.notify_one();
  }
  ~GlobalThreadPool() {
    {
      std::lock_guard lock(mutex);
      shutdown = true;
    }
    new_job_or_shutdown.notify_all();
    for (auto &thread : threads)
      thread.join();
  }
private:
  explicit GlobalThreadPool(size_t size) {
    for (size_t i = 0; i < size; ++i)
      threads.emplace_back([this] { worker(); });
  }
  void worker() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex);
        new_job_or_shutdown.wait(lock, [&] { return shutdown || !jobs.empty(); });
        if (jobs.empty())
          return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job();
    }
  }
  std::mutex mutex;
  std::condition_variable new_job_or_shutdown;
  std::deque<std::function<void()>> jobs;
  std::vector<std::thread> threads;
  bool shutdown = false;
};

/// A job on the global pool that can be joined like a thread.
class ThreadFromGlobalPool {
public:
  ThreadFromGlobalPool() = default;
  explicit ThreadFromGlobalPool(std::function<void()> func) : state(std::make_shared<State>()) {
    GlobalThreadPool::instance().scheduleOrThrow([state = state, func = std::move(func)] {
      func();
      std::lock_guard lock(state->mutex);
      state->done = true;
      state->cv.notify_all();
    });
  }
  bool joinable() const { return state != nullptr; }
  void join() {
    {
      std::unique_lock lock(state->mutex);
      state->cv.wait(lock, [&] { return state->done; });
    }
    state.reset();
  }
private:
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
  };
  std::shared_ptr<State> state;
};

class PullingAsyncPipelineExecutor {
public:
  explicit PullingAsyncPipelineExecutor(std::shared_ptr<RemoteSource> source)
      : lazy_format(std::make_shared<LazyOutputFormat>()),
        pipeline_executor(std::make_shared<PipelineExecutor>(std::move(source), lazy_format)) {}
  ~PullingAsyncPipelineExecutor() {
    try {
      cancel();
    } catch (...) {
      tryLogCurrentException("PullingAsyncPipelineExecutor");
    }
  }

  bool pull(Chunk &chunk, unsigned long milliseconds) {
    if (!data) {
      data = std::make_unique<Data>();
      data->executor = pipeline_executor;
      data->lazy_format = lazy_format.get();
      data->thread = ThreadFromGlobalPool([this] { threadFunction(*data); });
    }
    data->rethrowExceptionIfHas();
    if (lazy_format->isFinished()) {
      data->is_finished = true;
      cancel();
      return false;
    }
    chunk = lazy_format->getChunk(milliseconds);
    return true;
  }

  void cancel() {
    /// Cancel execution if it wasn't finished.
    try {
      if (data && !data->is_finished && data->executor)
        data->executor->cancel();
    } catch (...) {
      /// Keep only the first exception, it is rethrown below.
      if (!data->has_exception) {
        data->exception = std::current_exception();
        data->has_exception = true;
      }
    }
    /// Finish lazy format. Otherwise thread.join() may hung.
    if (lazy_format && !lazy_format->isFinished())
      lazy_format->finish();
    /// Join thread here to wait for possible exception.
    if (data && data->thread.joinable())
      data->thread.join();
    if (data)
      data->rethrowExceptionIfHas();
  }

private:
  struct Data {
    std::shared_ptr<PipelineExecutor> executor;
    std::exception_ptr exception;
    LazyOutputFormat *lazy_format = nullptr;
    std::atomic_bool is_finished = false;
    std::atomic_bool has_exception = false;
    ThreadFromGlobalPool thread;
    ~Data() {
      if (thread.joinable())
        thread.join();
    }
    void rethrowExceptionIfHas() {
      if (has_exception) {
        has_exception = false;
        std::rethrow_exception(exception);
      }
    }
  };
  static void threadFunction(Data &data) {
    try {
      data.executor->execute();
    } catch (...) {
      data.exception = std::current_exception();
      data.has_exception = true;
      data.lazy_format->finalize();
    }
    data.is_finished = true;
  }

  std::shared_ptr<LazyOutputFormat> lazy_format;
  std::shared_ptr<PipelineExecutor> pipeline_executor;
  std::unique_ptr<Data> data;
};

struct ClientConnection {
  int blocks_sent = 0;
  void sendData(const Chunk &) { ++blocks_sent; }
  /// The user pressed Ctrl+C once the first block was on the screen.
  bool isQueryCancelled() const { return blocks_sent > 0; }
};

void processOrdinaryQuery(ClientConnection &client) {
  const unsigned long interactive_delay_ms = 100;
  PullingAsyncPipelineExecutor executor(std::make_shared<RemoteSource>());
  Chunk chunk;
  while (true) {
    if (client.isQueryCancelled()) {
      executor.cancel();
      break;
    }
    if (!executor.pull(chunk, interactive_delay_ms))
      break;
    if (chunk)
      client.sendData(chunk);
  }
}

} // namespace DB

int main() {
  DB::ClientConnection client;
  try {
    DB::processOrdinaryQuery(client);
  } catch (...) {
    DB::tryLogCurrentException("TCPHandler");
  }
  return 0;
}
