#!/usr/bin/env bash
# Makes the files the sample app's image gets besides the app itself (Jib adds those): a JRE made by jlink
# from the build's JDK at /opt/jre, the shared libraries it needs with the dynamic loader (the image has no
# base image, so no libc), /etc/passwd and /etc/group naming the non-root user, the C.UTF-8 locale, and the
# folders the app writes to. Jib copies OUT into the image as one layer (pom.xml, profile "image").
#
#   make-root.sh JAVA_HOME APP_JAR OUT EXTRA_MODULES UID:GID
#
# JAVA_HOME      the JDK that builds (jdeps, jlink and its jmods come from it)
# APP_JAR        the repackaged Spring Boot jar: jdeps reads BOOT-INF/classes and BOOT-INF/lib
# OUT            emptied and filled
# EXTRA_MODULES  modules jdeps cannot see (service providers found at run time), comma-separated
# UID:GID        the numeric user the image runs as (Jib's container.user)
set -euo pipefail

java_home=$1 app_jar=$2 out=$3 extra=$4 uid=${5%%:*} gid=${5##*:}

rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Modules: what the app's classes and every runtime dependency reference, plus the extras.
(cd "$work" && "$java_home/bin/jar" xf "$app_jar" BOOT-INF/classes BOOT-INF/lib)
feature=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
modules=$("$java_home/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release "$feature" --recursive \
  --class-path "$work/BOOT-INF/lib/*" "$work/BOOT-INF/classes")
modules="$modules,$extra"
echo "make-root: jlink modules: $modules"

# java.desktop is needed for java.beans (Spring reads bean properties through it), but a headless server
# never draws: its native AWT, font, image and sound libraries would pull X11, freetype, harfbuzz, ALSA,
# libjpeg and more into the image for nothing (the tree is drawn by a Wasm plugin, as SVG text).
desktop_natives='libawt.so,libawt_headless.so,libawt_xawt.so,libjawt.so,libfontmanager.so,libjavajpeg.so,liblcms.so,libmlib_image.so,libsplashscreen.so,libjsound.so'
exclude=$(echo "$desktop_natives" | sed 's#\([^,]*\)#**/\1#g')
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --exclude-files="$exclude" --output "$out/opt/jre"
jre="$out/opt/jre"

# Shared libraries: everything the JRE's executables and libraries load, as ldd resolves it on this
# machine, copied to the same paths (symbolic links followed), and the dynamic loader they name.
: > "$work/libs"
while IFS= read -r elf; do
  if ! listing=$(LD_LIBRARY_PATH="$jre/lib:$jre/lib/server" ldd "$elf" 2>&1); then
    echo "make-root: ldd $elf failed: $listing" >&2
    exit 1
  fi
  if grep -q 'not found' <<<"$listing"; then
    echo "make-root: $elf needs a library this machine does not have:" >&2
    grep 'not found' <<<"$listing" >&2
    exit 1
  fi
  # "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and the loader's "/lib64/ld-linux-x86-64.so.2 (0x...)"
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$listing" >> "$work/libs"
done < <(find "$jre/bin" "$jre/lib" -type f \( -path "$jre/bin/*" -o -name '*.so' \))
sort -u "$work/libs" | while IFS= read -r lib; do
  case "$lib" in "$jre"/*) continue ;; esac
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
echo "make-root: shared libraries: $(sort -u "$work/libs" | grep -v "^$jre/" | xargs -n1 basename | tr '\n' ' ')"

# The user the image runs as (numeric in the image config; named here so that the JVM's user.name and
# user.home resolve), and the files-only name service (glibc's files and dns services are in libc.so.6).
mkdir -p "$out/etc"
printf 'root:x:0:0:root:/root:/sbin/nologin\ngraft:x:%s:%s:Graft ERP:/app:/sbin/nologin\n' "$uid" "$gid" > "$out/etc/passwd"
printf 'root:x:0:\ngraft:x:%s:\n' "$gid" > "$out/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$out/etc/nsswitch.conf"

# LANG=C.UTF-8 (the image's environment): Java 17 takes its default charset from the locale, and without
# this one the JVM would fall back to ASCII for file names and console output.
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$out/usr/lib/locale"
  cp -r /usr/lib/locale/C.utf8 "$out/usr/lib/locale/"
fi

# Folders the app writes to: the H2 database (working directory /app, erp.data-dir ./data), the OCI plugin
# cache of the k8s profile, and java.io.tmpdir (Tomcat's work folder). Jib makes them writable for all (pom.xml).
mkdir -p "$out/app/data" "$out/var/cache/graft" "$out/tmp"

echo "make-root: JRE $(du -sk "$jre" | cut -f1) KiB, all files $(du -sk "$out" | cut -f1) KiB"
