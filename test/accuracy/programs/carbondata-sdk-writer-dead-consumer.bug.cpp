// accuracy-family: stranded-producer
// accuracy-origin: apache/carbondata CARBONDATA-2417 (PR #2251, commit 7edef8f4a7) and CARBONDATA-2784 (PR #2561, commit 114b112b86): CarbonOutputIteratorWrapper and CarbonTableOutputFormat.getRecordWriter (Java) at 7edef8f4a7^, re-expressed in C++
// accuracy-shape: queue=cv-hand-written-blocking-queue queue-api=put/poll(timeout)/clear close=flag-in-wrapper spawner=home-made-single-thread-executor producer=sdk-user-calling-thread consumer=submitted-task-helper-2 exit=throw wait=future-get-in-close
//
// The SDK writer: the user's thread calls write(row) for each row; rows are
// gathered into batches, and each full batch is put into a bounded blocking
// queue. A data-load task, submitted to a one-thread executor, iterates over
// the queue's batches and converts the rows. A bad record makes the load
// task throw; its catch cleans up and rethrows into the future, but nobody
// tells the writer: the user's thread keeps writing and blocks in put.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
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
  // An empty E after the timeout.
  E poll(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lk(lock_);
    if (!not_empty_.wait_for(lk, timeout, [&] { return !items_.empty(); }))
      return E();
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

using row = std::vector<std::string>;

class row_batch {
public:
  explicit row_batch(std::size_t size) : size_(size) {}
  bool add_row(row r) { // false once the batch is full
    rows_.push_back(std::move(r));
    return rows_.size() < size_;
  }
  bool has_next() const { return counter_ < rows_.size(); }
  const row &next() { return rows_[counter_++]; }

private:
  std::vector<row> rows_;
  std::size_t size_, counter_ = 0;
};

class carbon_output_iterator_wrapper {
public:
  void write(row r) {
    if (!load_batch_->add_row(std::move(r))) {
      queue_.put(load_batch_); // accuracy: blocks
      load_batch_ = std::make_shared<row_batch>(batch_size_);
    }
  }
  bool has_next() {
    if (!read_batch_ || !read_batch_->has_next()) {
      read_batch_ = queue_.poll(close_ ? std::chrono::milliseconds(0) : std::chrono::minutes(5));
      if (!read_batch_)
        return false;
    }
    return read_batch_->has_next();
  }
  const row &next() { return read_batch_->next(); }
  void close_writer() {
    if (close_)
      return;
    queue_.put(load_batch_); // the last, partly filled batch
    close_ = true;
    queue_.put(std::make_shared<row_batch>(0)); // for a reader waiting in poll
  }

private:
  static constexpr std::size_t batch_size_ = 4;
  std::atomic<bool> close_{false};
  std::shared_ptr<row_batch> load_batch_ = std::make_shared<row_batch>(batch_size_);
  std::shared_ptr<row_batch> read_batch_;
  array_blocking_queue<std::shared_ptr<row_batch>> queue_{10};
};

class single_thread_executor {
public:
  std::future<void> submit(std::function<void()> task) {
    std::packaged_task<void()> pt(std::move(task));
    std::future<void> f = pt.get_future();
    thread_ = std::thread(std::move(pt));
    return f;
  }
  void shutdown_now() {}
  ~single_thread_executor() {
    if (thread_.joinable())
      thread_.join();
  }

private:
  std::thread thread_;
};

struct data_load_executor {
  // The converter step: a bad record fails the whole load.
  void execute(carbon_output_iterator_wrapper &input) {
    while (input.has_next()) {
      const row &r = input.next();
      if (r.size() != 3 || r[2].empty())
        throw std::runtime_error("Data load failed due to bad record: empty value for column 'age'");
    }
  }
};

class carbon_record_writer {
public:
  carbon_record_writer() {
    future_ = executor_.submit([this] {
      try {
        loader_.execute(iterator_wrapper_);
      } catch (...) {
        executor_.shutdown_now();
        throw;
      }
    });
  }
  void write(row r) { iterator_wrapper_.write(std::move(r)); }
  void close() {
    iterator_wrapper_.close_writer();
    try {
      future_.get();
    } catch (const std::exception &e) {
      throw std::runtime_error(std::string("Error while loading data: ") + e.what());
    }
  }

private:
  carbon_output_iterator_wrapper iterator_wrapper_;
  data_load_executor loader_;
  std::future<void> future_;
  single_thread_executor executor_;
};

int main() {
  carbon_record_writer writer;
  try {
    for (int i = 0; i < 1000; ++i)
      writer.write({"id" + std::to_string(i), "name", i % 7 == 0 ? "" : "42"});
    writer.close();
  } catch (const std::exception &e) {
    std::printf("%s\n", e.what());
    return 0;
  }
  std::printf("all rows written\n");
  return 0;
}
