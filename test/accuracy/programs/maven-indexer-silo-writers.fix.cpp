// accuracy-family: stranded-producer
// accuracy-origin: apache/maven-indexer PR #314 (MINDEXER-188): IndexDataReader.readIndexMT in indexer-core/src/main/java/org/apache/maven/index/updater/IndexDataReader.java at b947abc^ (Java), re-expressed in C++ with a home-made executor
// accuracy-shape: queue=cv-hand-written-blocking-queue queue-api=put/take/clear close=none end-marker=poison-pill-per-consumer spawner=home-made-fixed-thread-pool producer=calling-thread consumer=pool-task-lambda exit=catch-then-break fix=clear-queue-and-shutdownNow-plus-stop-flag wait=pool-shutdown-awaitTermination
//
// Reading a multi-threaded index: the calling thread decodes documents and
// puts them into a bounded blocking queue; a fixed pool of silo-writer
// tasks takes them and adds them to their silo, each stopping at the end
// marker (one per task). A silo writer that fails to add a document records
// the error and breaks out of its loop, telling no one. When every silo
// writer fails, the queue fills and the reader blocks in put.
//
// The upstream fix: the first silo writer to fail sets a stop flag, clears
// the queue (unblocking the reader) and shuts the executor down; the
// reader's loop also checks the flag.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

template <typename E> class array_blocking_queue {
public:
  explicit array_blocking_queue(std::size_t capacity) : capacity_(capacity) {}
  void put(E e) {
    std::unique_lock<std::mutex> lk(lock_);
    not_full_.wait(lk, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(e));
    not_empty_.notify_one();
  }
  E take() {
    std::unique_lock<std::mutex> lk(lock_);
    not_empty_.wait(lk, [&] { return !items_.empty(); });
    E e = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return e;
  }
  void clear() {
    std::lock_guard<std::mutex> lk(lock_);
    items_.clear();
    not_full_.notify_all();
  }

private:
  std::mutex lock_;
  std::condition_variable not_empty_, not_full_;
  std::deque<E> items_;
  std::size_t capacity_;
};

// A fixed thread pool in the manner of java.util.concurrent's.
class fixed_thread_pool {
public:
  explicit fixed_thread_pool(int threads) {
    for (int i = 0; i < threads; ++i)
      workers_.emplace_back([this] { run(); });
  }
  void execute(std::function<void()> task) {
    std::lock_guard<std::mutex> lk(m_);
    tasks_.push_back(std::move(task));
    cv_.notify_one();
  }
  void shutdown() {
    std::lock_guard<std::mutex> lk(m_);
    shutdown_ = true;
    cv_.notify_all();
  }
  // Drops the tasks that have not started (it cannot interrupt the others).
  void shutdownNow() {
    std::lock_guard<std::mutex> lk(m_);
    shutdown_ = true;
    tasks_.clear();
    cv_.notify_all();
  }
  void awaitTermination() {
    for (auto &t : workers_)
      if (t.joinable())
        t.join();
  }
  ~fixed_thread_pool() {
    shutdown();
    awaitTermination();
  }

private:
  void run() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return shutdown_ || !tasks_.empty(); });
        if (tasks_.empty())
          return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

struct io_exception : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct document {
  std::string uinfo;
};
using document_ptr = std::shared_ptr<const document>;

class silo_writer {
public:
  // The temporary silo directory sits on a full disk.
  void add_document(const document &) { throw io_exception("No space left on device: silo segment"); }
};

struct index_data_read_result {
  int document_count = 0;
  std::string error;
};

index_data_read_result read_index_mt(int threads, int documents_in_stream) {
  index_data_read_result result;
  const document_ptr the_end = std::make_shared<document>();
  array_blocking_queue<document_ptr> queue(16);
  fixed_thread_pool executor_service(threads);
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  std::atomic<bool> stop_early{false};
  std::vector<silo_writer> silo_writers(threads);

  for (int i = 0; i < threads; ++i) {
    silo_writer &silo = silo_writers[i];
    executor_service.execute([&, the_end] {
      while (true) {
        try {
          document_ptr doc = queue.take();
          if (doc == the_end)
            break;
          silo.add_document(*doc);
        } catch (const io_exception &e) {
          {
            std::lock_guard<std::mutex> lk(errors_mutex);
            errors.push_back(e.what());
          }
          bool expected = false;
          if (stop_early.compare_exchange_strong(expected, true)) {
            queue.clear();                  // unblock producer
            executor_service.shutdownNow(); // unblock consumers
          }
          break;
        }
      }
    });
  }

  int n = 0;
  int next = 0;
  auto read_document = [&]() -> document_ptr {
    if (next == documents_in_stream)
      return nullptr;
    return std::make_shared<document>(document{"org.example|artifact-" + std::to_string(next++)});
  };
  document_ptr doc;
  while (!stop_early && (doc = read_document()) != nullptr) {
    queue.put(doc);
    n++;
  }
  for (int i = 0; i < threads; ++i)
    queue.put(the_end);
  executor_service.shutdown();
  executor_service.awaitTermination();

  result.document_count = n;
  if (!errors.empty())
    result.error = "Error during load of index: " + errors.front();
  return result;
}

int main() {
  index_data_read_result r = read_index_mt(4, 2000);
  if (!r.error.empty())
    std::printf("%s\n", r.error.c_str());
  else
    std::printf("read %d documents\n", r.document_count);
  return 0;
}
