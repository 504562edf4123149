// accuracy-family: stranded-producer
// accuracy-origin: apache/maven-indexer PR #314 (MINDEXER-188): IndexDataReader.readIndexMT at b947abc^ (Java), where the silo-writer loop catches only InterruptedException | IOException; re-expressed in C++ with a home-made executor
// accuracy-shape: queue=cv-hand-written-blocking-queue queue-api=put/take/clear close=none end-marker=poison-pill-per-consumer spawner=home-made-fixed-thread-pool producer=member-function consumer=member-function-pool-task exit=uncaught-exception-swallowed-by-pool wait=pool-shutdown-awaitTermination
//
// The same index reader as a class: the silo-writer tasks catch I/O errors
// only. A malformed record makes the document decoder throw an
// invalid_argument instead, which escapes the task; the pool swallows it,
// as an executor's uncaught-exception handler would, and the task is gone.
// Nobody tells the reader, which blocks in put once the queue is full.
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
      try {
        task();
      } catch (...) {
        // Like the default uncaught-exception handler: the task is lost.
        ++uncaught_;
      }
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool shutdown_ = false;
  std::atomic<int> uncaught_{0};
  std::vector<std::thread> workers_;
};

struct io_exception : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct document {
  std::string uinfo;
};
using document_ptr = std::shared_ptr<const document>;

class index_data_reader {
public:
  index_data_reader(int threads, int records) : threads_(threads), records_(records) {}

  std::string read_index_mt() {
    const document_ptr the_end = std::make_shared<document>();
    array_blocking_queue<document_ptr> queue(8);
    fixed_thread_pool executor_service(threads_);
    for (int silo = 0; silo < threads_; ++silo)
      executor_service.execute([this, &queue, the_end] { silo_loop(queue, the_end); });

    document_ptr doc;
    while ((doc = read_document()) != nullptr)
      queue.put(doc); // accuracy: blocks
    for (int i = 0; i < threads_; ++i)
      queue.put(the_end);
    executor_service.shutdown();
    executor_service.awaitTermination();

    std::lock_guard<std::mutex> lk(errors_mutex_);
    return errors_.empty() ? std::string() : "Error during load of index: " + errors_.front();
  }

private:
  void silo_loop(array_blocking_queue<document_ptr> &queue, const document_ptr &the_end) {
    while (true) {
      try {
        document_ptr doc = queue.take();
        if (doc == the_end)
          break;
        add_to_index(*doc);
      } catch (const io_exception &e) {
        std::lock_guard<std::mutex> lk(errors_mutex_);
        errors_.push_back(e.what());
        break;
      }
    }
  }

  // UINFO is groupId|artifactId|version|classifier|extension.
  void add_to_index(const document &doc) {
    std::size_t fields = 1;
    for (char c : doc.uinfo)
      fields += c == '|';
    if (fields != 5)
      throw std::invalid_argument("malformed UINFO '" + doc.uinfo.substr(0, 11) + "'");
  }

  std::string read_field() { return "org.example|lib" + std::to_string(next_++); }

  document_ptr read_document() {
    if (next_ == records_)
      return nullptr;
    return std::make_shared<document>(document{read_field()});
  }

  int threads_, records_, next_ = 0;
  std::mutex errors_mutex_;
  std::vector<std::string> errors_;
};

int main() {
  index_data_reader reader(4, 3000);
  std::string error = reader.read_index_mt();
  std::printf("%s\n", error.empty() ? "index loaded" : error.c_str());
  return 0;
}
