// RUN: %run_fix_test %s %t
//
// Consumers as tasks of a pool of the program's own: the constructor starts
// the workers, submit() queues a task, the destructor joins them, and a
// task's exception is swallowed by the worker. The importer's tasks run a
// member function that pops rows from a queue without a close; a row that
// does not parse throws, the pool swallows it, and once every task is gone
// the importer blocks forever in put(). The fix counts the tasks (a member
// only the constructor sets) down as each leaves, gives the queue a try_put,
// and retries it until there is room or every task has left.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

template <typename T> class RowQueue {
public:
  explicit RowQueue(std::size_t cap) : cap_(cap) {}
  void put(T row) {
    std::unique_lock<std::mutex> lk(m_);
    room_.wait(lk, [&] { return rows_.size() < cap_; });
    rows_.push_back(std::move(row));
    data_.notify_one();
  }
  T take() {
    std::unique_lock<std::mutex> lk(m_);
    data_.wait(lk, [&] { return !rows_.empty(); });
    T row = std::move(rows_.front());
    rows_.pop_front();
    room_.notify_one();
    return row;
  }

private:
  std::mutex m_;
  std::condition_variable room_, data_;
  std::deque<T> rows_;
  std::size_t cap_;
};

class TaskPool {
public:
  explicit TaskPool(int threads) {
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this] { work(); });
  }
  void submit(std::function<void()> task) {
    std::lock_guard<std::mutex> lk(m_);
    tasks_.push_back(std::move(task));
    cv_.notify_one();
  }
  ~TaskPool() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stopping_ = true;
      cv_.notify_all();
    }
    for (std::thread &t : threads_)
      t.join();
  }

private:
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty())
          return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      try {
        task();
      } catch (...) {
        // the task is lost, as an executor's default handler would do
      }
    }
  }
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

static long parse(const std::string &row) {
  long value = 0;
  for (char c : row) {
    if (c < '0' || c > '9')
      throw std::invalid_argument("row does not parse: " + row);
    value = value * 10 + (c - '0');
  }
  return value;
}

class Importer {
public:
  explicit Importer(int parsers) : parsers_(parsers) {}

  long import(int rows) {
    RowQueue<std::string> queue(4);
    {
      TaskPool pool(parsers_);
      for (int p = 0; p < parsers_; ++p)
        pool.submit([this, &queue] { parseRows(queue); });
      for (int r = 0; r < rows; ++r)
        queue.put(std::to_string(r) + (r % 97 == 96 ? "?" : ""));
      for (int p = 0; p < parsers_; ++p)
        queue.put(""); // one end marker per parser
    }
    std::lock_guard<std::mutex> lk(m_);
    return parsed_;
  }

private:
  void parseRows(RowQueue<std::string> &queue) {
    for (;;) {
      std::string row = queue.take();
      if (row.empty())
        return;
      long value = parse(row);
      std::lock_guard<std::mutex> lk(m_);
      parsed_ += value >= 0;
    }
  }

  int parsers_;
  std::mutex m_;
  long parsed_ = 0;
};

int main() {
  std::printf("parsed %ld rows\n", Importer(2).import(50)); // all good
  Importer(2).import(5000); // every parser meets a garbage row
  std::printf("done\n");
  return 0;
}
// CHECK-FIXES: {{^}}    std::atomic<int> queueReaders{parsers_};{{$}}
// CHECK-FIXES: {{^}}        pool.submit([this, &queue, &queueReaders] { struct LeaveCount { std::atomic<int> &left; ~LeaveCount() { --left; } } leaveCount{queueReaders}; parseRows(queue); });{{$}}
