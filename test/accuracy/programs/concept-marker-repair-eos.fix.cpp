// accuracy-family: stranded-consumer
// accuracy-origin: scylladb/scylladb PR #6320 (refs #6272, #6248), repair/repair.cc repair_writer::write_end_of_stream(): write_partition_end() then push the empty mutation_fragment_opt; if the first step fails the second is skipped and the sstable writer waits for the end-of-stream forever
// accuracy-shape: queue=cv-hand-written close=end-of-stream-marker marker=empty-optional spawner=std::async producer=calling-thread-member consumer=lambda exit=throw-before-marker fix=abort-queue-on-error wait=future
//
// The upstream fix: when writing the final partition_end fails,
// write_end_of_stream() aborts the queue with the exception before passing
// it on, so the writer task's pop() rethrows it instead of waiting for the
// end-of-stream marker.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

struct mutation_fragment {
  enum class kind { partition_start, clustering_row, partition_end } k;
  int key;
};
using mutation_fragment_opt = std::optional<mutation_fragment>;

// A bounded queue of fragments. An empty optional is the end of the stream;
// abort() makes every later pop() and push() throw the given exception.
class mutation_fragment_queue {
public:
  explicit mutation_fragment_queue(std::size_t max_size) : _max_size(max_size) {}

  void push(mutation_fragment_opt mf) {
    std::unique_lock<std::mutex> lk(_mu);
    _not_full.wait(lk, [&] { return _ex || _buffer.size() < _max_size; });
    if (_ex)
      std::rethrow_exception(_ex);
    _buffer.push_back(std::move(mf));
    _not_empty.notify_one();
  }
  void push_end_of_stream() { push(std::nullopt); }

  mutation_fragment_opt pop() {
    std::unique_lock<std::mutex> lk(_mu);
    _not_empty.wait(lk, [&] { return _ex || !_buffer.empty(); });
    if (_ex)
      std::rethrow_exception(_ex);
    mutation_fragment_opt mf = std::move(_buffer.front());
    _buffer.pop_front();
    _not_full.notify_one();
    return mf;
  }

  void abort(std::exception_ptr ep) {
    std::lock_guard<std::mutex> lk(_mu);
    _ex = ep;
    _not_full.notify_all();
    _not_empty.notify_all();
  }

private:
  std::mutex _mu;
  std::condition_variable _not_full, _not_empty;
  std::deque<mutation_fragment_opt> _buffer;
  std::size_t _max_size;
  std::exception_ptr _ex;
};

// Error injection, enabled for this run.
struct error_injector {
  std::set<std::string> enabled{"repair_writer_partition_end"};
  void inject(const std::string &name) const {
    if (enabled.count(name))
      throw std::runtime_error("injected error: " + name);
  }
};

class repair_writer {
public:
  explicit repair_writer(const error_injector &injector) : _injector(injector) {}

  void create_writer() {
    _writer_done = std::async(std::launch::async, [this] {
      long rows = 0;
      while (mutation_fragment_opt mf = _mq.pop())
        if (mf->k == mutation_fragment::kind::clustering_row)
          ++rows;
      return rows;
    });
  }

  void do_write(int key, int rows) {
    if (_partition_opened)
      write_partition_end();
    _mq.push(mutation_fragment{mutation_fragment::kind::partition_start, key});
    _partition_opened = true;
    for (int r = 0; r < rows; ++r)
      _mq.push(mutation_fragment{mutation_fragment::kind::clustering_row, key});
  }

  void write_end_of_stream() {
    // Partition_end is never sent on the wire, so we write one ourselves.
    try {
      write_partition_end();
      _mq.push_end_of_stream();
    } catch (...) {
      _mq.abort(std::current_exception()); // the writer's pop() rethrows it
      throw;
    }
  }

  long wait_for_writer_done() { return _writer_done.get(); }

private:
  void write_partition_end() {
    _injector.inject("repair_writer_partition_end");
    _mq.push(mutation_fragment{mutation_fragment::kind::partition_end, 0});
    _partition_opened = false;
  }

  const error_injector &_injector;
  mutation_fragment_queue _mq{16};
  bool _partition_opened = false;
  std::future<long> _writer_done;
};

int main() {
  error_injector injector;
  repair_writer writer(injector);
  writer.create_writer();
  try {
    writer.do_write(1, 5); // one partition of five rows from the peer
    writer.write_end_of_stream();
  } catch (const std::exception &e) {
    std::printf("repair_writer: write_end_of_stream failed: %s\n", e.what());
  }
  try {
    writer.wait_for_writer_done();
  } catch (const std::exception &e) {
    std::printf("repair_writer: writer aborted: %s\n", e.what());
  }
  return 0;
}
