/*
 * link_host.c - a program that knows nothing of libmemprof: it loads the
 * plugin argv[1] (linked with libmemprof.so, which comes in with it),
 * calls its plugin_work on the main thread and on a second thread, and
 * unloads it with dlclose while that thread, which has recorded, still
 * runs; the thread then ends (libmemprof's per-thread destructor runs
 * after the dlclose) and the program exits: the report at exit holds the
 * plugin's table, both calls.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int stage; /* 1: the thread has worked; 2: the plugin is unloaded */

static void *worker(void *arg)
{
    ((void (*)(void))arg)();
    pthread_mutex_lock(&lock);
    stage = 1;
    pthread_cond_broadcast(&cond);
    while (stage != 2)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    void (*work)(void) = (void (*)(void))dlsym(h, "plugin_work");
    if (work == NULL)
        return 1;
    work();
    pthread_t t;
    if (pthread_create(&t, NULL, worker, (void *)work) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    while (stage != 1)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    if (dlclose(h) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    stage = 2;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    return 0;
}
