// COpenMPI: Open MPI's C interface (pkg-config "ompi-c"; Debian: libopenmpi-dev).
//
// Swift cannot import MPI_COMM_WORLD, MPI_SUM, MPI_FLOAT, MPI_IN_PLACE and the like: in Open MPI
// they are macros that cast the address of a library global (`&ompi_mpi_comm_world`). Each getter
// below returns one of them as a value Swift can hold. Integer constants (MPI_SUCCESS,
// MPI_THREAD_FUNNELED, MPI_COMM_TYPE_SHARED) import as they are.
#include <mpi.h>

static inline MPI_Comm slate_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm slate_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Info slate_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Op slate_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op slate_mpi_max(void) { return MPI_MAX; }
static inline MPI_Datatype slate_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype slate_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype slate_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype slate_mpi_byte(void) { return MPI_BYTE; }
static inline void *slate_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler slate_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
