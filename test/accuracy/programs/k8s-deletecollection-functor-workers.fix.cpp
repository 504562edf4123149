// accuracy-family: stranded-producer
// accuracy-origin: kubernetes PR #105606 (registry.Store.DeleteCollection in staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go; the distributor in the calling goroutine as after PR #115666), re-expressed in C++
// accuracy-shape: queue=cv-hand-written queue-api=put-returns-status/take-returns-optional/close spawner=std::thread consumer=functor-class producer=calling-thread exit=return-with-optional-error fix=waiter-closes-queue-when-workers-exit wait=join
//
// DeleteCollection lists the items, starts a few delete workers and then
// feeds them item indices itself, through a bounded channel. Each worker is
// a functor object that records its first error (a std::optional status)
// and returns. With the storage down, every worker fails its first delete
// and returns; the calling thread blocks in put, so the joins below it and
// the answer to the client never come.
//
// The upstream fix: once the workers have all exited, the distributor is
// told to stop (here: a waiter joins them and closes the channel, so the
// blocked put returns "closed").
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

enum class chan_status { ok, closed };

template <typename T> class bounded_chan {
public:
  explicit bounded_chan(std::size_t cap) : cap_(cap) {}
  chan_status put(T v) {
    std::unique_lock<std::mutex> lk(m_);
    not_full_.wait(lk, [&] { return closed_ || buf_.size() < cap_; });
    if (closed_)
      return chan_status::closed;
    buf_.push_back(std::move(v));
    not_empty_.notify_one();
    return chan_status::ok;
  }
  std::optional<T> take() {
    std::unique_lock<std::mutex> lk(m_);
    not_empty_.wait(lk, [&] { return closed_ || !buf_.empty(); });
    if (buf_.empty())
      return std::nullopt;
    T v = std::move(buf_.front());
    buf_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> buf_;
  std::size_t cap_;
  bool closed_ = false;
};

struct status_error {
  int code;
  std::string message;
  bool is_not_found() const { return code == 404; }
};

class etcd_store {
public:
  std::optional<status_error> remove(const std::string &key) const {
    if (leader_lost_)
      return status_error{500, "etcdserver: leader changed"};
    return std::nullopt;
  }
  bool leader_lost_ = true;
};

class delete_worker {
public:
  delete_worker(const etcd_store &store, const std::vector<std::string> &items,
                bounded_chan<std::size_t> &to_process, std::optional<status_error> &result)
      : store_(store), items_(items), to_process_(to_process), result_(result) {}

  void operator()() {
    while (std::optional<std::size_t> index = to_process_.take()) {
      std::optional<status_error> err = store_.remove(items_[*index]);
      if (err && !err->is_not_found()) {
        result_ = err;
        return;
      }
    }
  }

private:
  const etcd_store &store_;
  const std::vector<std::string> &items_;
  bounded_chan<std::size_t> &to_process_;
  std::optional<status_error> &result_;
};

std::optional<status_error> delete_collection(const etcd_store &store,
                                              const std::vector<std::string> &items,
                                              std::size_t workers_number) {
  if (workers_number > items.size())
    workers_number = items.size();
  bounded_chan<std::size_t> to_process(2 * workers_number);
  std::vector<std::optional<status_error>> errs(workers_number);
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < workers_number; ++w)
    workers.emplace_back(delete_worker(store, items, to_process, errs[w]));

  // In case all the workers exit, notify the distributor.
  std::thread workers_exited([&] {
    for (auto &t : workers)
      t.join();
    to_process.close();
  });

  // The distributor: the calling thread itself.
  for (std::size_t i = 0; i < items.size(); ++i)
    if (to_process.put(i) == chan_status::closed)
      break;
  to_process.close();

  workers_exited.join();
  for (auto &e : errs)
    if (e)
      return e;
  return std::nullopt;
}

int main() {
  std::vector<std::string> pods;
  for (int i = 0; i < 500; ++i)
    pods.push_back("namespace-1/pod-" + std::to_string(i));
  etcd_store store;
  if (std::optional<status_error> err = delete_collection(store, pods, 4))
    std::printf("DeleteCollection failed: %d %s\n", err->code, err->message.c_str());
  else
    std::printf("DeleteCollection succeeded\n");
  return 0;
}
