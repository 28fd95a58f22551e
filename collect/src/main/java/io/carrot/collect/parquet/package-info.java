/** Reading and writing Parquet tables (parquet-java on local files, no Hadoop file system). */
package io.carrot.collect.parquet;
