/* Small 3-vector helpers used inside libcewb (not installed). */
#ifndef CEWB_GEOM_H
#define CEWB_GEOM_H

#include <math.h>

static inline double v3_dot(const double a[3], const double b[3])
{
	return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void v3_cross(const double a[3], const double b[3], double c[3])
{
	c[0] = a[1] * b[2] - a[2] * b[1];
	c[1] = a[2] * b[0] - a[0] * b[2];
	c[2] = a[0] * b[1] - a[1] * b[0];
}

static inline double v3_norm(const double a[3])
{
	return sqrt(v3_dot(a, a));
}

static inline double v3_dist(const double a[3], const double b[3])
{
	double d[3] = { a[0] - b[0], a[1] - b[1], a[2] - b[2] };
	return v3_norm(d);
}

/* Cartesian vector of fractional (row) coordinates f in a cell of rows. */
static inline void v3_frac_cart(const double cell[3][3], const double f[3], double out[3])
{
	for (int j = 0; j < 3; j++)
		out[j] = f[0] * cell[0][j] + f[1] * cell[1][j] + f[2] * cell[2][j];
}

static inline double det3(const double m[3][3])
{
	return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
	       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
	       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

static inline long det3i(const int m[3][3])
{
	return (long)m[0][0] * ((long)m[1][1] * m[2][2] - (long)m[1][2] * m[2][1]) -
	       (long)m[0][1] * ((long)m[1][0] * m[2][2] - (long)m[1][2] * m[2][0]) +
	       (long)m[0][2] * ((long)m[1][0] * m[2][1] - (long)m[1][1] * m[2][0]);
}

/* Inverse of a 3x3 matrix; returns 0 when singular. */
static inline int inv3(const double m[3][3], double out[3][3])
{
	double d = det3(m);
	if (d == 0.0 || !isfinite(d))
		return 0;
	out[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / d;
	out[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / d;
	out[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / d;
	out[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / d;
	out[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / d;
	out[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / d;
	out[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / d;
	out[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / d;
	out[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / d;
	return 1;
}

/* Row vector times matrix: out = v * m. */
static inline void v3_mat(const double v[3], const double m[3][3], double out[3])
{
	for (int j = 0; j < 3; j++)
		out[j] = v[0] * m[0][j] + v[1] * m[1][j] + v[2] * m[2][j];
}

#endif
