// accuracy-family: stranded-producer
// accuracy-origin: vladiant/CppConcurrencyPatterns ProducerConsumer/producer_consumer_bounded_buffer/main.cpp (std::counting_semaphore empty/filled slots around a mutex-guarded buffer), driven by a boost::asio::thread_pool as in lwt1995/hello boostTest/main.cpp (post + join), re-expressed
// accuracy-shape: queue=semaphore-ring fix=close-on-error-path spawner=boost::asio::thread_pool producer=pool-task consumer=pool-task exit=empty-optional wait=pool.join
// accuracy-flags: -lboost_thread
//
// The fix: the ring gets a close() that wakes every waiter (put fails,
// take returns an empty optional once drained), and a parser that gives up
// closes it.
// A CSV import: one pool task reads lines and puts them into a ring
// guarded by two counting semaphores (free slots, filled slots); three
// pool tasks take lines, parse them, and stop at an empty line (one per
// parser, the end marker). parseRow returns an empty std::optional for a
// malformed row and the parser simply returns. Every row of this file is
// malformed, so all parsers leave at once; the reader then waits forever on
// the free-slot semaphore and pool.join() never returns.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <array>
#include <cstdio>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>

template <class T, std::size_t N> class SlotRing {
public:
  bool put(T value) {
    freeSlots_.acquire();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_)
        return false;
      slots_[tail_] = std::move(value);
      tail_ = (tail_ + 1) % N;
      ++count_;
    }
    filledSlots_.release();
    return true;
  }

  std::optional<T> take() {
    filledSlots_.acquire();
    T value;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (count_ == 0)
        return std::nullopt; // woken by close()
      value = std::move(slots_[head_]);
      head_ = (head_ + 1) % N;
      --count_;
    }
    freeSlots_.release();
    return value;
  }

  // Wake every waiter for good: after this, put() fails and take() only
  // returns what is left.
  void close() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    freeSlots_.release(kWakeAll);
    filledSlots_.release(kWakeAll);
  }

private:
  std::counting_semaphore<> freeSlots_{N};
  std::counting_semaphore<> filledSlots_{0};
  std::mutex mutex_;
  std::array<T, N> slots_;
  std::size_t head_ = 0, tail_ = 0, count_ = 0;
  bool closed_ = false;
  static constexpr std::ptrdiff_t kWakeAll = 1 << 20;
};

struct Record {
  long id;
  double amount;
};

// The export used ';' instead of ',': no row parses.
static std::optional<Record> parseRow(const std::string &line) {
  auto comma = line.find(',');
  if (comma == std::string::npos)
    return std::nullopt;
  return Record{std::stol(line.substr(0, comma)),
                std::stod(line.substr(comma + 1))};
}

class ImportErrors {
public:
  void report(const std::string &what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (first_.empty())
      first_ = what;
  }
  std::string first() {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_;
  }

private:
  std::mutex mutex_;
  std::string first_;
};

int main() {
  constexpr int kParsers = 3;
  SlotRing<std::string, 4> lines;
  ImportErrors errors;
  std::mutex totalMutex;
  double total = 0;

  boost::asio::thread_pool pool(kParsers + 1);
  boost::asio::post(pool, [&] {
    for (int row = 1; row <= 500; ++row)
      if (!lines.put(std::to_string(row) + ";" + std::to_string(row * 2.5)))
        return;
    for (int i = 0; i < kParsers; ++i)
      if (!lines.put(std::string()))
        return;
  });
  for (int i = 0; i < kParsers; ++i)
    boost::asio::post(pool, [&] {
      for (;;) {
        std::optional<std::string> line = lines.take();
        if (!line || line->empty())
          return;
        std::optional<Record> record = parseRow(*line);
        if (!record) {
          errors.report("malformed row");
          lines.close(); // wake the reader, and the parsers still waiting
          return;
        }
        std::lock_guard<std::mutex> lock(totalMutex);
        total += record->amount;
      }
    });
  pool.join();

  std::string error = errors.first();
  if (!error.empty()) {
    std::printf("import failed: %s\n", error.c_str());
    return 0;
  }
  std::printf("imported, total %.2f\n", total);
  return 0;
}
