// accuracy-family: stranded-consumer
// accuracy-origin: mydumper/mydumper issue #951 (myloader's loader threads wait for jobs that never come: they are never sent their SHUTDOWN job), with the roles of chenshuo/muduo muduo/base/BoundedBlockingQueue.h and tests/BoundedBlockingQueue_test.cc (f1fc77e: threads started in the constructor, joinAll() puts one "stop" per thread, then joins), re-expressed in C++
// accuracy-shape: queue=cv-bounded-no-close spawner=class-constructor producer=member-function-helper-3 consumer=member-function-thread exit=throw wait=destructor
//
// A bulk loader: the constructor starts the writer threads, load() parses
// a CSV file into row batches and puts them on a bounded queue, finish()
// puts one shutdown batch per writer; the destructor joins the writers.
// The queue cannot be closed: a writer leaves only on its shutdown batch.
// A malformed row makes the parser throw out of load(), so finish() is
// never called; unwinding runs the destructor, which joins writers that
// wait in take() for a batch that never comes.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

template <typename T> class BoundedBlockingQueue {
public:
  explicit BoundedBlockingQueue(std::size_t max_size) : max_size_(max_size) {}

  void put(T x) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return queue_.size() < max_size_; });
    queue_.push_back(std::move(x));
    not_empty_.notify_one();
  }

  T take() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !queue_.empty(); });
    T front(std::move(queue_.front()));
    queue_.pop_front();
    not_full_.notify_one();
    return front;
  }

private:
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> queue_;
  std::size_t max_size_;
};

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Row = std::vector<std::string>;

struct Batch {
  std::string table;
  std::vector<Row> rows;
  bool shutdown = false;
};

class Database {
public:
  void insert(const Batch &batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_ += batch.rows.size();
  }

private:
  std::mutex mutex_;
  std::size_t rows_ = 0;
};

class BulkLoader {
public:
  BulkLoader(Database &db, int writers, std::size_t queue_size,
             std::size_t batch_rows)
      : db_(db), queue_(queue_size), batch_rows_(batch_rows) {
    for (int i = 0; i < writers; ++i)
      writers_.emplace_back([this] { writerLoop(); });
  }

  ~BulkLoader() {
    for (auto &t : writers_)
      t.join();
  }

  void load(const std::string &table, const std::string &file,
            const std::string &csv) {
    std::istringstream in(csv);
    parseFile(table, file, in);
  }

  void finish() {
    for (std::size_t i = 0; i < writers_.size(); ++i)
      queue_.put(Batch{{}, {}, /*shutdown=*/true});
  }

private:
  void parseFile(const std::string &table, const std::string &file,
                 std::istream &in) {
    Batch batch{table, {}, false};
    std::string line;
    std::getline(in, line); // header
    const std::size_t columns = split(line).size();
    for (int lineno = 2; std::getline(in, line); ++lineno) {
      batch.rows.push_back(parseRow(file, lineno, line, columns));
      if (batch.rows.size() == batch_rows_) {
        queue_.put(std::move(batch));
        batch = Batch{table, {}, false};
      }
    }
    if (!batch.rows.empty())
      queue_.put(std::move(batch));
  }

  static Row parseRow(const std::string &file, int lineno,
                      const std::string &line, std::size_t columns) {
    Row row = split(line);
    if (row.size() != columns)
      throw ParseError(file + ":" + std::to_string(lineno) + ": expected " +
                       std::to_string(columns) + " fields, got " +
                       std::to_string(row.size()));
    return row;
  }

  static Row split(const std::string &line) {
    Row fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ','))
      fields.push_back(field);
    return fields;
  }

  void writerLoop() {
    for (;;) {
      Batch batch = queue_.take(); // accuracy: blocks
      if (batch.shutdown)
        return;
      db_.insert(batch);
    }
  }

  Database &db_;
  BoundedBlockingQueue<Batch> queue_;
  std::size_t batch_rows_;
  std::vector<std::thread> writers_;
};

int main() {
  std::string csv = "id,customer,amount,currency\n"
                    "1,acme,10.00,EUR\n"
                    "2,globex,12.50\n"; // a field is missing
  for (int i = 3; i < 2000; ++i)
    csv += std::to_string(i) + ",initech," + std::to_string(i) + ".00,EUR\n";

  Database db;
  try {
    BulkLoader loader(db, 4, 8, 100);
    loader.load("orders", "orders.csv", csv);
    loader.finish();
  } catch (const ParseError &e) {
    std::printf("load failed: %s\n", e.what());
    return 0;
  }
  std::printf("load complete\n");
  return 0;
}
