// accuracy-family: stranded-consumer
// accuracy-origin: scylladb issue #6241, PR #6242 (mutation_writer/multishard_writer.cc at d86958d3b2^), re-expressed with threads
// accuracy-shape: queue=cv-hand-written queue-api=push/push_end_of_stream/abort(exception_ptr) spawner=std::thread consumers=per-shard-lazy producer=member-function consumer=std::function exit=throw fix=abort-all-queues-on-producer-error wait=join-in-finally raii-abort=handle-destructor-too-late
//
// A multishard writer reads fragments from a producer and routes each
// partition to the queue of the shard that owns it; one consumer thread per
// shard, started when the shard sees its first partition, reads its queue
// until end of stream. The writer waits for its consumers on every path (a
// "finally"), but when the producer throws, the consumers are never told:
// no end of stream, no abort. The handles abort their queue when destroyed,
// but they are members of the writer and die only after the wait.
//
// The upstream fix: when distributing fails, abort every queue with the
// producer's exception, so each consumer's read rethrows it.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct fragment {
  enum class kind { partition_start, clustering_row, partition_end } k;
  unsigned key;
};

// The reader side of a queue: a bounded buffer of fragments.
class queue_reader {
public:
  explicit queue_reader(std::size_t max_buffer) : max_buffer_(max_buffer) {}
  // Next fragment; nullopt at end of stream; rethrows the abort exception.
  std::optional<fragment> next() {
    std::unique_lock<std::mutex> lk(m_);
    full_.wait(lk, [&] { return ex_ || end_of_stream_ || !buffer_.empty(); });
    if (ex_)
      std::rethrow_exception(ex_);
    if (buffer_.empty())
      return std::nullopt;
    fragment f = buffer_.front();
    buffer_.pop_front();
    not_full_.notify_one();
    return f;
  }
  void push(fragment f) {
    std::unique_lock<std::mutex> lk(m_);
    not_full_.wait(lk, [&] { return ex_ || buffer_.size() < max_buffer_; });
    if (ex_)
      std::rethrow_exception(ex_);
    buffer_.push_back(f);
    full_.notify_one();
  }
  void push_end_of_stream() {
    std::lock_guard<std::mutex> lk(m_);
    end_of_stream_ = true;
    full_.notify_all();
  }
  void abort(std::exception_ptr ep) {
    std::lock_guard<std::mutex> lk(m_);
    end_of_stream_ = true;
    ex_ = std::move(ep);
    full_.notify_all();
    not_full_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable full_, not_full_;
  std::deque<fragment> buffer_;
  std::size_t max_buffer_;
  bool end_of_stream_ = false;
  std::exception_ptr ex_;
};

// The writer side. Destroying a handle that was neither ended nor aborted
// abandons the reader.
class queue_reader_handle {
public:
  explicit queue_reader_handle(std::shared_ptr<queue_reader> r) : r_(std::move(r)) {}
  queue_reader_handle(queue_reader_handle &&) = default;
  ~queue_reader_handle() {
    if (r_)
      r_->abort(std::make_exception_ptr(std::runtime_error("abandoned queue_reader_handle")));
  }
  void push(fragment f) { r_->push(f); }
  void push_end_of_stream() { std::exchange(r_, nullptr)->push_end_of_stream(); }
  void abort(std::exception_ptr ep) {
    if (r_)
      std::exchange(r_, nullptr)->abort(std::move(ep));
  }

private:
  std::shared_ptr<queue_reader> r_;
};

using producer_fn = std::function<std::optional<fragment>()>;
using consumer_fn = std::function<void(queue_reader &)>;

class multishard_writer {
public:
  multishard_writer(unsigned shards, producer_fn producer, consumer_fn consumer)
      : shards_(shards), handles_(shards), errors_(shards),
        producer_(std::move(producer)), consumer_(std::move(consumer)) {}

  std::uint64_t operator()() {
    std::exception_ptr failure;
    try {
      distribute_mutation_fragments();
    } catch (...) {
      failure = std::current_exception();
    }
    wait_pending_consumers(); // runs on every path, like .finally()
    if (failure)
      std::rethrow_exception(failure);
    for (auto &e : errors_)
      if (e)
        std::rethrow_exception(e);
    return consumed_partitions_;
  }

private:
  void make_shard_writer(unsigned shard) {
    auto reader = std::make_shared<queue_reader>(8);
    handles_[shard].emplace(reader);
    pending_consumers_.emplace_back([this, shard, reader] {
      try {
        consumer_(*reader);
      } catch (...) {
        // A failing consumer aborts its queue: the producer's push throws.
        errors_[shard] = std::current_exception();
        reader->abort(errors_[shard]);
      }
    });
  }

  void handle_mutation_fragment(fragment mf) {
    if (mf.k == fragment::kind::partition_start) {
      ++consumed_partitions_;
      current_shard_ = mf.key % shards_;
      if (!handles_[current_shard_])
        make_shard_writer(current_shard_);
    }
    handles_[current_shard_]->push(mf);
  }

  void handle_end_of_stream() {
    for (auto &h : handles_)
      if (h)
        h->push_end_of_stream();
  }

  void distribute_mutation_fragments() {
    try {
      while (true) {
        std::optional<fragment> mf = producer_();
        if (!mf) {
          handle_end_of_stream();
          return;
        }
        handle_mutation_fragment(*mf);
      }
    } catch (...) {
      std::exception_ptr ep = std::current_exception();
      for (auto &h : handles_)
        if (h)
          h->abort(ep);
      throw;
    }
  }

  void wait_pending_consumers() {
    for (auto &t : pending_consumers_)
      t.join();
  }

  unsigned shards_;
  unsigned current_shard_ = 0;
  std::uint64_t consumed_partitions_ = 0;
  std::vector<std::optional<queue_reader_handle>> handles_;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> pending_consumers_;
  producer_fn producer_;
  consumer_fn consumer_;
};

std::uint64_t distribute_reader_and_consume_on_shards(unsigned shards, producer_fn producer,
                                                      consumer_fn consumer) {
  multishard_writer writer(shards, std::move(producer), std::move(consumer));
  return writer();
}

int main() {
  unsigned produced = 0;
  // The stream from a repair follower: partitions of 1 start, 3 rows, 1 end.
  // The connection drops after 800 fragments.
  auto get_next_mutation_fragment = [&produced]() -> std::optional<fragment> {
    unsigned n = produced++;
    if (n >= 800)
      throw std::runtime_error("the producer failed");
    unsigned pos = n % 5;
    auto k = pos == 0 ? fragment::kind::partition_start
             : pos == 4 ? fragment::kind::partition_end
                        : fragment::kind::clustering_row;
    return fragment{k, n / 5};
  };
  auto write_sstable = [](queue_reader &reader) {
    std::uint64_t rows = 0;
    while (std::optional<fragment> mf = reader.next())
      if (mf->k == fragment::kind::clustering_row)
        ++rows;
  };
  try {
    distribute_reader_and_consume_on_shards(4, get_next_mutation_fragment, write_sstable);
  } catch (const std::exception &e) {
    std::printf("repair stream failed: %s\n", e.what());
    return 0;
  }
  std::printf("repair stream done\n");
  return 0;
}
