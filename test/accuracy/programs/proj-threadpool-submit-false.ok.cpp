// accuracy-family: stranded-producer
// accuracy-origin: chenshuo/muduo muduo/base/ThreadPool.cc (f1fc77e: run() waits while the bounded task queue is full and running_, and gives up once the pool is stopped; take() returns an empty Task once stopped; runInThread() loops while running_), with run() reporting the refusal as false
// accuracy-shape: queue=cv-bounded-task-queue-running-flag spawner=home-made-pool(std::function-tasks)+start() producer=calling-thread-member-function consumer=pool-thread exit=task-shuts-pool-down wait=stop()-join
//
// Correct: an importer submits one task per chunk to a muduo-style pool
// whose bounded task queue makes run() wait while it is full. The database
// is gone, so the first task fails and shuts the pool down (running_ =
// false, every waiter woken) instead of quietly returning; run() then
// refuses the next chunk with false and the importer stops submitting. The
// workers leave their loop once running_ is false; stop() joins them.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class ThreadPool {
public:
  using Task = std::function<void()>;

  explicit ThreadPool(std::size_t maxQueueSize) : maxQueueSize_(maxQueueSize) {}
  ~ThreadPool() {
    if (!threads_.empty())
      stop();
  }

  void start(int numThreads) {
    running_ = true;
    for (int i = 0; i < numThreads; ++i)
      threads_.emplace_back([this] { runInThread(); });
  }

  // Stops taking tasks and wakes everyone; does not join (a task may call it).
  void shutdown() {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    notEmpty_.notify_all();
    notFull_.notify_all();
  }

  void stop() {
    shutdown();
    for (auto &thr : threads_)
      thr.join();
    threads_.clear();
  }

  // false once the pool has been stopped
  bool run(Task task) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (queue_.size() >= maxQueueSize_ && running_)
      notFull_.wait(lock);
    if (!running_)
      return false;
    queue_.push_back(std::move(task));
    notEmpty_.notify_one();
    return true;
  }

private:
  Task take() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (queue_.empty() && running_)
      notEmpty_.wait(lock);
    Task task;
    if (!queue_.empty() && running_) {
      task = std::move(queue_.front());
      queue_.pop_front();
      notFull_.notify_one();
    }
    return task;
  }

  void runInThread() {
    while (running_) {
      Task task(take());
      if (task)
        task();
    }
  }

  std::mutex mutex_;
  std::condition_variable notEmpty_, notFull_;
  std::deque<Task> queue_;
  std::size_t maxQueueSize_;
  std::atomic<bool> running_{false};
  std::vector<std::thread> threads_;
};

class Connection {
public:
  // the server went away: every insert fails
  bool insert(const std::string &, std::string &error) {
    error = "Lost connection to MySQL server during query";
    return false;
  }
};

struct ImportStatus {
  std::mutex mutex;
  std::string firstError;
};

static void importChunk(Connection &db, int chunk, ImportStatus &status,
                        ThreadPool &pool) {
  std::string error;
  if (!db.insert("INSERT INTO events VALUES ... /* chunk " + std::to_string(chunk) + " */",
                 error)) {
    {
      std::lock_guard<std::mutex> lock(status.mutex);
      if (status.firstError.empty())
        status.firstError = error;
    }
    pool.shutdown(); // fail fast: no point importing the rest
  }
}

int main() {
  Connection db;
  ImportStatus status;
  ThreadPool pool(/*maxQueueSize=*/8);
  pool.start(4);

  for (int chunk = 0; chunk < 1000; ++chunk) {
    if (!pool.run([&, chunk] { importChunk(db, chunk, status, pool); })) {
      std::printf("import: pool stopped, no more chunks submitted\n");
      break;
    }
  }
  pool.stop();
  if (!status.firstError.empty())
    std::printf("import failed: %s\n", status.firstError.c_str());
  return 0;
}
